/**
 * The objects that sit beside Workspaces in the source repository (ConfigMaps, PVCs, ...): kaito-gitops
 * passes them through, after checking what would break later: names that are not Kubernetes names (and
 * so not safe as path segments), ConfigMap data that the API server would refuse, and plain Secrets,
 * whose values git would keep in clear text for ever.
 */
import type { Problem } from '../errors.ts';
import { annotationsSizeProblems, configMapSizeProblems } from './api-limits.ts';
import { configMapKeyErrors, dns1123LabelErrors, dns1123SubdomainErrors } from './names.ts';
import { field, isObject, problem, show } from './problems.ts';

/** RBAC object names are path segments rather than DNS names (`system:controller:...`). */
const PATH_SEGMENT_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/** Metadata the cluster sets: never applied from git (objects exported with `kubectl get -o yaml` carry it). */
export const SERVER_SET_METADATA: ReadonlySet<string> = new Set([
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** Hints for unknown fields of a Workspace document that come from common mistakes. */
export function workspaceFieldHint(parentPath: string, key: string): string | undefined {
  if (parentPath === '' && key === 'spec') {
    return "Kaito's Workspace has no spec: move resource, inference and tuning to the top level of the document";
  }
  if (parentPath === '' && key === 'status')
    return 'status is written by the cluster; remove it from the source';
  if (parentPath === 'metadata') {
    if (SERVER_SET_METADATA.has(key)) return 'it is set by the cluster; remove it from the source';
    if (key === 'generateName') return 'a Workspace in git needs a fixed metadata.name; remove generateName';
    if (key === 'finalizers' || key === 'ownerReferences')
      return 'it is managed in the cluster; remove it from the source';
  }
  return undefined;
}

/** Problems of a non-Workspace object whose apiVersion, kind and metadata.name are strings. */
export function validateObject(value: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const kind = value['kind'] as string;
  const metadata = value['metadata'] as Record<string, unknown>;
  const name = metadata['name'] as string;
  const nameErrors = PATH_SEGMENT_KINDS.has(kind) ? pathSegmentErrors(name) : dns1123SubdomainErrors(name);
  if (nameErrors.length > 0)
    problems.push(problem('metadata.name', `${show(name)}: ${nameErrors.join(', ')}`));
  const namespace = metadata['namespace'];
  if (namespace !== undefined && namespace !== null) {
    const errors =
      typeof namespace === 'string'
        ? dns1123LabelErrors(namespace)
        : [`must be a string, got ${show(namespace)}`];
    if (errors.length > 0)
      problems.push(problem('metadata.namespace', `${show(namespace)}: ${errors.join(', ')}`));
  }
  problems.push(...annotationsSizeProblems(metadata['annotations']));
  if (value['apiVersion'] === 'v1' && kind === 'Secret') problems.push(...secretProblems(value));
  if (value['apiVersion'] === 'v1' && kind === 'ConfigMap') {
    problems.push(...configMapProblems(value), ...configMapSizeProblems(value));
  }
  return problems;
}

function pathSegmentErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be ${show(name)}`];
  if (name.includes('/') || name.includes('%')) return ["may not contain '/' or '%'"];
  return [];
}

function secretProblems(secret: Record<string, unknown>): Problem[] {
  // A SOPS-encrypted Secret carries its `sops` metadata; Flux decrypts it in the cluster.
  if (isObject(secret['sops'])) return [];
  return (['data', 'stringData'] as const)
    .filter((key) => {
      const values = secret[key];
      return (
        values !== undefined && values !== null && !(isObject(values) && Object.keys(values).length === 0)
      );
    })
    .map((key) =>
      problem(
        key,
        'a plain Secret must not be committed: git keeps its values readable for ever (data is only base64-encoded); encrypt it with SOPS, or use Sealed Secrets or External Secrets instead',
      ),
    );
}

function configMapProblems(configMap: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  for (const key of ['data', 'binaryData'] as const) {
    const values = configMap[key];
    if (values === undefined || values === null) continue;
    if (!isObject(values)) {
      problems.push(problem(key, `must be a map of keys to strings, got ${show(values)}`));
      continue;
    }
    for (const [entry, value] of Object.entries(values)) {
      const path = field(key, entry);
      const keyErrors = configMapKeyErrors(entry);
      if (keyErrors.length > 0) problems.push(problem(path, `invalid key: ${keyErrors.join(', ')}`));
      if (typeof value !== 'string') {
        const quote =
          typeof value === 'number' || typeof value === 'boolean' ? '; put the value in quotes' : '';
        problems.push(problem(path, `must be a string, got ${show(value)}${quote}`));
      }
    }
  }
  return problems;
}
