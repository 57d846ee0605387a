/**
 * Where things go in the output tree (the contract users and GitOps tools see):
 *
 * ```
 * kustomization.yaml                       resources: every workspace directory, sorted
 * inventory.json                           what kaito-gitops wrote, per workspace (not YAML: no tool applies it)
 * workspaces/<namespace>/<name>/
 *   kustomization.yaml                     resources: the files below, in synthesis order; labels: managed-by
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
 * A workspace directory's kustomization. `labels` with `includeSelectors: false`, never the deprecated
 * `commonLabels`, which also rewrites selectors (immutable on Deployments and StatefulSets).
 */
export function workspaceKustomization(resources: readonly string[]): string {
  return emitYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    labels: [{ pairs: { [MANAGED_BY_LABEL]: MANAGED_BY }, includeSelectors: false }],
    resources,
  });
}

/** The root kustomization, listing every workspace directory. */
export function rootKustomization(directories: readonly string[]): string {
  return emitYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: directories,
  });
}
