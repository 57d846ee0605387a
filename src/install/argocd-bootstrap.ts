/**
 * Argo CD bootstrap: an ApplicationSet with the git directory generator over `<path>/shards/*` that makes
 * one Application per shard of the rendered tree (automated sync with prune and self-heal), so a shard a
 * sync opens is applied without running `init` again; or, instead of it, an ApplicationSet that makes one
 * Application per Workspace directory (named within 63 characters, created in the Workspace's namespace,
 * which `CreateNamespace` creates); the `argocd-cm` health check for `kaito.sh/Workspace` (src/api: Argo CD
 * has none, so without it a Workspace shows no health at all); and the sync server.
 *
 * A shard's Application allows an empty sync (`allowEmpty`): a shard whose last workspace was deleted
 * stays in the tree as an empty kustomization, and without it Argo CD's automated sync refuses to prune
 * every resource of an Application ("auto-sync will wipe out all resources"), leaving the deleted
 * workspace's model running.
 */
import { WORKSPACE_HEALTH_LUA } from '../api/index.ts';
import { FLUX_NAME, emitYaml, emitYamlDocuments, type Tree } from '../render/index.ts';
import {
  SHARD_NAMESPACE_TEMPLATE,
  applicationNameTemplate,
  shardApplicationNameTemplate,
} from './argocd-names.ts';
import type { Resolved } from './bootstrap-options.ts';
import { syncServerObjects } from './sync-server.ts';

const AUTOMATED = { prune: true, selfHeal: true };
const SYNC_OPTIONS = ['ServerSideApply=true', 'CreateNamespace=true'];
/** Shard Applications have the names `init` gave them before the ApplicationSet (`kaito-workspaces-<shard>`). */
const SHARD_PREFIX = FLUX_NAME;

export function argocdTree(options: Resolved): Tree {
  const prefix = options.path === '' ? '' : `${options.path}/`;
  const depth = options.path === '' ? 0 : options.path.split('/').length;
  const applicationSet = (name: string, directories: string, template: Record<string, unknown>) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name, namespace: 'argocd' },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [
        { git: { repoURL: options.repo, revision: options.branch, directories: [{ path: directories }] } },
      ],
      template,
    },
  });
  const application = (name: string, namespace: string, automated: Record<string, boolean>) => ({
    metadata: { name, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      project: 'default',
      source: { repoURL: options.repo, targetRevision: options.branch, path: '{{ .path.path }}' },
      destination: { server: 'https://kubernetes.default.svc', namespace },
      syncPolicy: { automated, syncOptions: SYNC_OPTIONS },
    },
  });
  const shards = applicationSet(
    'kaito-shards',
    `${prefix}shards/*`,
    application(shardApplicationNameTemplate(SHARD_PREFIX), SHARD_NAMESPACE_TEMPLATE, {
      ...AUTOMATED,
      allowEmpty: true,
    }),
  );
  const perWorkspace = applicationSet(
    'kaito-workspaces',
    `${prefix}workspaces/*/*`,
    application(applicationNameTemplate(depth + 1), `{{ index .path.segments ${depth + 1} }}`, AUTOMATED),
  );
  const health = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-cm', namespace: 'argocd' },
    data: { 'resource.customizations.health.kaito.sh_Workspace': WORKSPACE_HEALTH_LUA },
  };
  return new Map([
    ['applicationset-shards.yaml', emitYaml(shards)],
    ['applicationset.yaml', emitYaml(perWorkspace)],
    ['argocd-cm-patch.yaml', emitYaml(health)],
    [
      'kustomization.yaml',
      emitYaml({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['applicationset-shards.yaml', 'sync-server.yaml'],
      }),
    ],
    ['sync-server.yaml', emitYamlDocuments(syncServerObjects(options))],
  ]);
}
