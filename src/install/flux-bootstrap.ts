/**
 * Flux bootstrap: a GitRepository on the deploy branch (only the deploy path), one Kustomization per
 * shard of the rendered tree (or one for the whole tree before it has shards) that applies it with
 * `prune: true` and waits for every object within a timeout that covers the slowest
 * model's start-up (flux-timeout.ts), Workspaces judged by the CEL health check of src/api — one entry
 * for the Workspace group/kind: kustomize-controller ≥ v1.8 (Flux 2.8) keys them by group and kind and
 * refuses a second one for another version — and the sync server. No Flux Receiver: the sync server's
 * own webhook is the trigger, and Flux polls the deploy branch every minute.
 */
import {
  KAITO_GROUP,
  WORKSPACE_HEALTH_CEL,
  WORKSPACE_KIND,
  WORKSPACE_STORAGE_VERSION,
} from '../api/index.ts';
import { emitYaml, emitYamlDocuments, type Tree } from '../render/index.ts';
import type { Resolved } from './bootstrap-options.ts';
import { syncServerObjects } from './sync-server.ts';
import { unitName } from './unit-name.ts';

const NAME = 'kaito-workspaces';

export function fluxTree(options: Resolved): Tree {
  const gitRepository = {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: NAME, namespace: 'flux-system' },
    spec: {
      url: options.repo,
      ref: { branch: options.branch },
      interval: '1m',
      // A read-only token: `kubectl -n flux-system create secret generic kaito-workspaces-auth ...`
      secretRef: { name: `${NAME}-auth` },
      ignore: options.path === '' ? undefined : `/*\n!/${options.path}/\n`,
    },
  };
  const kustomization = (name: string, path: string) => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'flux-system' },
    spec: {
      interval: '10m',
      retryInterval: '1m',
      timeout: options.fluxTimeout,
      sourceRef: { kind: 'GitRepository', name: NAME },
      path: path === '' ? './' : `./${path}`,
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
  });
  // One Kustomization per shard (each builds a bounded number of objects), or one for the whole tree
  // when the shards are not known yet.
  const kustomizations =
    options.shards.length === 0
      ? [kustomization(NAME, options.path)]
      : options.shards.map((shard) =>
          kustomization(unitName(NAME, shard), [options.path, 'shards', shard].filter(Boolean).join('/')),
        );
  return new Map([
    ['flux-kustomization.yaml', emitYamlDocuments(kustomizations)],
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

function dropUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
