/**
 * URL layout of the Kubernetes REST API: discovery paths and
 * `/api/v1|/apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>[/<subresource>]]`.
 */
import { ApiError } from './errors.ts';
import type { KindDef, Registry } from './registry.ts';

export type Route =
  | { type: 'discovery'; body: Record<string, unknown> }
  | {
      type: 'resource';
      kind: KindDef;
      version: string;
      namespace: string | undefined;
      name: string | undefined;
      subresource: 'status' | undefined;
    };

/** The apiserver's answer to a path it does not serve. */
export function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function route(registry: Registry, pathname: string, serverAddress: string): Route {
  const segs = pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const [root, a, b] = segs;
  if (root === 'version' && segs.length === 1) {
    return {
      type: 'discovery',
      body: { major: '1', minor: '33', gitVersion: 'v1.33.0-kaito-gitops-test', platform: 'linux/amd64' },
    };
  }
  if (root === 'api' && segs.length === 1)
    return { type: 'discovery', body: registry.coreVersions(serverAddress) };
  if (root === 'api' && a === 'v1' && segs.length === 2)
    return { type: 'discovery', body: registry.resourceList('', 'v1') };
  if (root === 'apis' && segs.length === 1) return { type: 'discovery', body: registry.groupList() };
  if (root === 'apis' && segs.length === 2) {
    const group = registry.group(a ?? '');
    if (!group) throw pathNotFound();
    return { type: 'discovery', body: group };
  }
  if (root === 'apis' && segs.length === 3) {
    if (!registry.servesGroupVersion(a ?? '', b ?? '')) throw pathNotFound();
    return { type: 'discovery', body: registry.resourceList(a ?? '', b ?? '') };
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (root === 'api' && a === 'v1') [group, version, rest] = ['', 'v1', segs.slice(2)];
  else if (root === 'apis' && a !== undefined && b !== undefined)
    [group, version, rest] = [a, b, segs.slice(3)];
  else throw pathNotFound();
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  const kind = plural === undefined ? undefined : registry.find(group, version, plural);
  if (!kind || extra.length > 0) throw pathNotFound();
  if (namespace !== undefined && !kind.namespaced) throw pathNotFound();
  if (namespace === undefined && kind.namespaced && name !== undefined) throw pathNotFound();
  if (subresource !== undefined && (subresource !== 'status' || !kind.statusSubresource))
    throw pathNotFound();
  return { type: 'resource', kind, version, namespace, name, subresource };
}
