/**
 * Flux Kustomizations, one per shard, and the same objects written into the tree itself when asked
 * (`--flux-units`): Flux's "Kustomization of Kustomizations". `flux-units/<shard>.yaml` holds the shard's
 * Flux Kustomization and `flux-units/kustomization.yaml` lists them; one root Flux Kustomization that
 * `init --flux-units` writes applies that directory, so a shard opened by a sync is applied without
 * running `init` again. The files name no deploy path and no timeout: the root supplies both through
 * `postBuild.substitute` ({@link SHARDS_PATH_VARIABLE}, {@link TIMEOUT_VARIABLE}), which touches only
 * these Flux objects, never the rendered workloads (whose commands may hold `${...}`).
 */
import {
  KAITO_GROUP,
  WORKSPACE_HEALTH_CEL,
  WORKSPACE_KIND,
  WORKSPACE_STORAGE_VERSION,
} from '../api/index.ts';
import { KUSTOMIZATION } from './layout.ts';
import { unitName } from './unit-name.ts';
import { emitYaml } from './yaml.ts';

export const FLUX_UNITS_DIR = 'flux-units';
/** Names of the GitRepository and of the units' prefix that `init --flux` writes. */
export const FLUX_NAME = 'kaito-workspaces';
export const FLUX_NAMESPACE = 'flux-system';
/** `./<deploy path>/shards`, from the root Flux Kustomization. */
export const SHARDS_PATH_VARIABLE = 'KAITO_SHARDS_PATH';
/** The units' `timeout`, from the root Flux Kustomization. */
export const TIMEOUT_VARIABLE = 'KAITO_FLUX_TIMEOUT';

export interface FluxUnitSpec {
  /** `spec.path`, from the root of the GitRepository's artifact. */
  path: string;
  /** Covers the slowest model's start: the unit waits for every object (install/flux-timeout.ts). */
  timeout: string;
  /** Annotations of the Kustomization object itself. */
  annotations?: Record<string, string>;
}

/**
 * A Flux Kustomization that applies one directory of the tree with `prune: true` and waits for every
 * object, Workspaces judged by the CEL health check of src/api: one entry for the Workspace group and
 * kind (kustomize-controller ≥ v1.8 keys them by group and kind and refuses a second one).
 */
export function fluxUnit(name: string, spec: FluxUnitSpec): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name,
      namespace: FLUX_NAMESPACE,
      ...(spec.annotations !== undefined && { annotations: spec.annotations }),
    },
    spec: {
      interval: '10m',
      retryInterval: '1m',
      timeout: spec.timeout,
      sourceRef: { kind: 'GitRepository', name: FLUX_NAME },
      path: spec.path,
      prune: true,
      wait: true,
      healthCheckExprs: [
        {
          apiVersion: `${KAITO_GROUP}/${WORKSPACE_STORAGE_VERSION}`,
          kind: WORKSPACE_KIND,
          ...WORKSPACE_HEALTH_CEL,
        },
      ],
    },
  };
}

/** `flux-units/kustomization.yaml` and `flux-units/<shard>.yaml` for these shards. */
export function fluxUnitFiles(shards: readonly string[]): [string, string][] {
  const units = shards.map((shard): [string, string] => [
    `${FLUX_UNITS_DIR}/${shard}.yaml`,
    emitYaml(
      fluxUnit(unitName(FLUX_NAME, shard), {
        path: `\${${SHARDS_PATH_VARIABLE}}/${shard}`,
        timeout: `\${${TIMEOUT_VARIABLE}}`,
      }),
    ),
  ]);
  const kustomization = emitYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: shards.map((shard) => `${shard}.yaml`),
  });
  return [[`${FLUX_UNITS_DIR}/${KUSTOMIZATION}`, kustomization], ...units];
}

/** Whether the tree whose inventory lists `files` carries Flux units (they stay once written). */
export function hasFluxUnits(inventory: { files: readonly string[] }): boolean {
  return inventory.files.includes(`${FLUX_UNITS_DIR}/${KUSTOMIZATION}`);
}
