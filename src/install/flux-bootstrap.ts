/**
 * Flux bootstrap: a GitRepository on the deploy branch (only the deploy path), the units that apply the
 * rendered tree (render/flux-units.ts: `prune: true`, waiting for every object within a timeout that
 * covers the slowest model's start-up, flux-timeout.ts), and the sync server. No Flux Receiver: the sync
 * server's own webhook is the trigger, and Flux polls the deploy branch every minute.
 *
 * The units are either one Kustomization per shard that `init --tree` found (or one for the whole path
 * before there are shards), or, with `fluxUnits`, one root Kustomization over the `flux-units/` the sync
 * server writes into the tree, so that a new shard needs no `init`. Deleting plumbing never deletes a
 * model: the per-shard Kustomizations carry `kustomize.toolkit.fluxcd.io/prune: disabled`, so the
 * Kustomization that applies this bootstrap never garbage-collects one (which would delete everything
 * it applied, kustomize-controller's `MirrorPrune`), and the root's `deletionPolicy: Orphan` leaves the
 * shard Kustomizations in place if the root is deleted. A root that takes over a per-shard
 * Kustomization applies it without the annotation (one field manager, kustomize-controller), so from
 * then on a retired shard's unit is pruned.
 */
import {
  emitYaml,
  emitYamlDocuments,
  type Tree,
  FLUX_NAME,
  FLUX_NAMESPACE,
  FLUX_UNITS_DIR,
  SHARDS_PATH_VARIABLE,
  TIMEOUT_VARIABLE,
  fluxUnit,
  unitName,
} from '../render/index.ts';
import type { Resolved } from './bootstrap-options.ts';
import { syncServerObjects } from './sync-server.ts';

/** The root Kustomization of `fluxUnits` (no shard unit is named so: theirs start with `kaito-workspaces-`). */
export const FLUX_ROOT = 'kaito-shards';
const KEEP = { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' };

export function fluxTree(options: Resolved): Tree {
  const gitRepository = {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: FLUX_NAME, namespace: FLUX_NAMESPACE },
    spec: {
      url: options.repo,
      ref: { branch: options.branch },
      interval: '1m',
      // A read-only token: `kubectl -n flux-system create secret generic kaito-workspaces-auth ...`
      secretRef: { name: `${FLUX_NAME}-auth` },
      ignore: options.path === '' ? undefined : `/*\n!/${options.path}/\n`,
    },
  };
  const at = (...parts: string[]) => `./${[options.path, ...parts].filter(Boolean).join('/')}`;
  const units = options.fluxUnits
    ? [root(options, at)]
    : options.shards.length === 0
      ? [fluxUnit(FLUX_NAME, { path: at(), timeout: options.fluxTimeout, annotations: KEEP })]
      : options.shards.map((shard) =>
          fluxUnit(unitName(FLUX_NAME, shard), {
            path: at('shards', shard),
            timeout: options.fluxTimeout,
            annotations: KEEP,
          }),
        );
  return new Map([
    ['flux-kustomization.yaml', emitYamlDocuments(units)],
    ['git-repository.yaml', emitYaml(dropUndefined(gitRepository))],
    [
      'kustomization.yaml',
      emitYaml({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['git-repository.yaml', 'flux-kustomization.yaml', 'sync-server.yaml'],
      }),
    ],
    ['sync-server.yaml', emitYamlDocuments(syncServerObjects(options))],
  ]);
}

/**
 * Applies `flux-units/` (one Flux Kustomization per shard) and prunes the unit of a retired shard; the
 * deploy path and the timeout reach the units by substitution. It waits for nothing itself: each shard's
 * unit waits for its own objects.
 */
function root(options: Resolved, at: (...parts: string[]) => string): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: FLUX_ROOT, namespace: FLUX_NAMESPACE },
    spec: {
      interval: '10m',
      retryInterval: '1m',
      sourceRef: { kind: 'GitRepository', name: FLUX_NAME },
      path: at(FLUX_UNITS_DIR),
      prune: true,
      deletionPolicy: 'Orphan',
      postBuild: {
        substitute: { [SHARDS_PATH_VARIABLE]: at('shards'), [TIMEOUT_VARIABLE]: options.fluxTimeout },
      },
    },
  };
}

function dropUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
