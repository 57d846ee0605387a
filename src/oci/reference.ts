/**
 * Image references as `docker pull` reads them: `[registry[:port]/]repository[:tag][@digest]`, with
 * docker.io (and `library/` for one-component names) as the default, and `latest` when neither tag nor
 * digest is given. Only the shape matters here; the registry has the last word on what exists.
 */
import { UsageError } from '../errors.ts';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's registry API answers (docker.io itself only redirects). */
const DOCKER_HUB_API = 'registry-1.docker.io';

export interface ImageReference {
  /** `host[:port]` as written, `docker.io` for Docker Hub. */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses a reference; the error names the value and the expected shape. */
export function parseReference(input: string): ImageReference {
  const fail = (why: string): never => {
    throw new UsageError(
      `"${input}" is not an image reference (${why}); expected [registry/]repository[:tag][@sha256:digest]`,
    );
  };
  let rest = input.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail(`digest "${digest}" is not sha256:<64 hex digits>`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail(`tag "${tag}" has characters a tag cannot have`);
  }
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  let registry = DOCKER_HUB;
  let repository = rest;
  if (first !== '' && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
    registry = first;
    repository = rest.slice(slash + 1);
  }
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API) registry = DOCKER_HUB;
  if (!HOST.test(registry)) fail(`registry "${registry}" is not a host name`);
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (!REPOSITORY.test(repository)) {
    fail(`repository "${repository}" must be lowercase letters, digits and separators`);
  }
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { registry, repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** `registry/repository[:tag][@digest]`. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${
    ref.digest !== undefined ? `@${ref.digest}` : ''
  }`;
}

/** What the manifest endpoint takes: the digest when there is one, else the tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** The host the registry API answers on. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}
