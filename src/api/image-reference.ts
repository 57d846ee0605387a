/**
 * Container image references, parsed with Docker's reference grammar the way Kaito does
 * (`github.com/distribution/reference` `ParseDockerRef`), with the same error texts, so an image that Kaito
 * would refuse ("Unable to parse input image reference: ...") is refused here too.
 */

const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;

const NAME_TOTAL_LENGTH_MAX = 255;
const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** A parsed reference: the fully qualified repository and the tag (`latest` when none) or digest. */
export interface ImageReference {
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

export type ParsedImage = { ok: true; reference: ImageReference } | { ok: false; error: string };

function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = slash === -1 ? '' : name.slice(0, slash);
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(slash + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = `library/${remainder}`;
  return { domain, remainder };
}

/** `reference.ParseDockerRef`: normalizes `ubuntu` to `docker.io/library/ubuntu:latest`. */
export function parseImageReference(input: string): ParsedImage {
  if (IDENTIFIER.test(input)) {
    return {
      ok: false,
      error: `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`,
    };
  }
  const { domain, remainder } = splitDockerDomain(input);
  const tagSeparator = remainder.indexOf(':');
  const remote = tagSeparator > -1 ? remainder.slice(0, tagSeparator) : remainder;
  if (remote.toLowerCase() !== remote) {
    return {
      ok: false,
      error: `invalid reference format: repository name (${remote}) must be lowercase`,
    };
  }
  const full = `${domain}/${remainder}`;
  const match = REFERENCE.exec(full);
  if (match === null) {
    if (input === '') return { ok: false, error: 'repository name must have at least one component' };
    if (REFERENCE.test(full.toLowerCase())) {
      return { ok: false, error: 'invalid reference format: repository name must be lowercase' };
    }
    return { ok: false, error: 'invalid reference format' };
  }
  const name = match[1] ?? '';
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    return { ok: false, error: `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters` };
  }
  const digest = match[3];
  if (digest !== undefined) {
    const [algorithm = '', hex = ''] = digest.split(':');
    const expected = DIGEST_HEX_LENGTH[algorithm];
    if (expected === undefined) return { ok: false, error: 'unsupported digest algorithm' };
    if (hex.length !== expected) return { ok: false, error: 'invalid checksum digest length' };
  }
  const path = name.slice(domain.length + 1);
  const reference: ImageReference = { domain, path };
  if (digest !== undefined) reference.digest = digest;
  else reference.tag = match[2] ?? 'latest';
  return { ok: true, reference };
}

/** Text such as `<YOUR IMAGE URL>` or `ACR_REPO_HERE...` that a user was meant to replace. */
export function looksLikePlaceholder(value: string): boolean {
  return /[<>{}]|\bYOUR[_ -]|_HERE\b|\bREPLACE[_ ]?ME\b/i.test(value);
}
