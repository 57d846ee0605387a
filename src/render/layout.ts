/**
 * Where things go in the output tree (the contract users and GitOps tools see):
 *
 * ```
 * kustomization.yaml                       resources: every shard, sorted (the whole tree in one build)
 * inventory.json                           what kaito-gitops wrote (not YAML: no tool applies it)
 * shards/<shard>/kustomization.yaml        resources: the workspace directories of one shard (shards.ts):
 *                                          what one Flux Kustomization or Argo CD Application builds
 * workspaces/<namespace>/<name>/
 *   kustomization.yaml                     resources: the files below, in synthesis order
 *   workspace-<name>.yaml                  one object per file, `<kind-lowercase>-<object-name>.yaml`
 *   configmap-<config>.yaml
 *   service-<name>.yaml
 *   deployment-<name>.yaml
 * ```
 */
import { MANAGED_BY, MANAGED_BY_LABEL } from '../api/index.ts';
import type { Manifest } from '../synth/index.ts';
import { assertSafeName } from './paths.ts';
import { emitYaml } from './yaml.ts';

export const KUSTOMIZATION = 'kustomization.yaml';
export const INVENTORY = 'inventory.json';
export const WORKSPACES_DIR = 'workspaces';
export const SHARDS_DIR = 'shards';

/**
 * `shards/<shard>`; shard names are a namespace, or a namespace, a dot and a number (shards.ts; trees of
 * the older layout have hash bits there instead).
 */
export function shardDir(shard: string): string {
  for (const part of shard.split('.')) assertSafeName(part, 'shard name');
  return `${SHARDS_DIR}/${shard}`;
}

/** Whether `shardDir` takes this name. */
export function isShardName(shard: string): boolean {
  try {
    shardDir(shard);
    return true;
  } catch {
    return false;
  }
}

export function workspaceDir(namespace: string, name: string): string {
  assertSafeName(namespace, 'namespace');
  assertSafeName(name, 'workspace name');
  return `${WORKSPACES_DIR}/${namespace}/${name}`;
}

/** `<kind-lowercase>-<name>.yaml`, e.g. `service-phi-3-headless.yaml`. */
export function objectFileName(object: Manifest): string {
  const kind = object.kind.toLowerCase();
  if (!/^[a-z0-9]+$/.test(kind))
    throw new Error(`refusing kind ${JSON.stringify(object.kind)} as a file name`);
  assertSafeName(object.metadata.name, `${object.kind} name`);
  return `${kind}-${object.metadata.name}.yaml`;
}

/**
 * A workspace directory's kustomization: its files, and the managed-by label only when some object
 * lacks it (`labels` with `includeSelectors: false`, never the deprecated `commonLabels`, which also
 * rewrites selectors, immutable on Deployments and StatefulSets). Synthesis labels every object it
 * makes, so the transformer, work kustomize would do on every build, is usually left out.
 */
export function workspaceKustomization(resources: readonly string[], label: boolean): string {
  return emitYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    ...(label ? { labels: [{ pairs: { [MANAGED_BY_LABEL]: MANAGED_BY }, includeSelectors: false }] } : {}),
    resources,
  });
}

/** Whether a directory with these objects needs the managed-by label put on by kustomize. */
export function needsManagedByLabel(objects: readonly Manifest[]): boolean {
  return objects.some((object) => object.metadata.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY);
}

/** A shard's kustomization: its workspace directories, relative to `shards/<shard>/`. */
export function shardKustomization(workspaceDirectories: readonly string[]): string {
  return emitYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: workspaceDirectories.map((dir) => `../../${dir}`),
  });
}

/** The root kustomization, listing every shard directory. */
export function rootKustomization(directories: readonly string[]): string {
  return emitYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: directories,
  });
}
