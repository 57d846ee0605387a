/**
 * Argo CD bootstrap: one Application per shard of the rendered tree (or one for the deploy path before
 * it has shards; automated sync with prune and self-heal),
 * or, instead of it, an ApplicationSet with the git directory generator that makes one Application
 * per Workspace directory (named within 63 characters, created in the Workspace's namespace, which
 * `CreateNamespace` creates); the `argocd-cm` health check for `kaito.sh/Workspace` (src/api: Argo CD has
 * none, so without it a Workspace shows no health at all); and the sync server.
 */
import { WORKSPACE_HEALTH_LUA } from '../api/index.ts';
import { emitYaml, emitYamlDocuments, type Tree } from '../render/index.ts';
import { applicationNameTemplate } from './argocd-names.ts';
import type { Resolved } from './bootstrap-options.ts';
import { syncServerObjects } from './sync-server.ts';
import { unitName } from './unit-name.ts';

const AUTOMATED = { prune: true, selfHeal: true };
/**
 * `CreateNamespace=true` creates the destination namespace only: the one Application spans every
 * Workspace namespace and has none (they must exist), each generated Application has its Workspace's.
 */
const APPLICATION_SYNC = { automated: AUTOMATED, syncOptions: ['ServerSideApply=true'] };
const PER_WORKSPACE_SYNC = {
  automated: AUTOMATED,
  syncOptions: ['ServerSideApply=true', 'CreateNamespace=true'],
};

export function argocdTree(options: Resolved): Tree {
  const application = (name: string, path: string) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      namespace: 'argocd',
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: 'default',
      source: {
        repoURL: options.repo,
        targetRevision: options.branch,
        path: path === '' ? '.' : path,
      },
      destination: { server: 'https://kubernetes.default.svc' },
      syncPolicy: APPLICATION_SYNC,
    },
  });
  // One Application per shard (each builds a bounded number of objects), or one for the whole tree
  // when the shards are not known yet.
  const applications =
    options.shards.length === 0
      ? [application('kaito-workspaces', options.path)]
      : options.shards.map((shard) =>
          application(
            unitName('kaito-workspaces', shard),
            [options.path, 'shards', shard].filter(Boolean).join('/'),
          ),
        );
  const prefix = options.path === '' ? '' : `${options.path}/`;
  const depth = options.path === '' ? 0 : options.path.split('/').length;
  const applicationSet = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 'kaito-workspaces', namespace: 'argocd' },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [
        {
          git: {
            repoURL: options.repo,
            revision: options.branch,
            directories: [{ path: `${prefix}workspaces/*/*` }],
          },
        },
      ],
      template: {
        metadata: {
          name: applicationNameTemplate(depth + 1),
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
        spec: {
          project: 'default',
          source: { repoURL: options.repo, targetRevision: options.branch, path: '{{ .path.path }}' },
          destination: {
            server: 'https://kubernetes.default.svc',
            namespace: `{{ index .path.segments ${depth + 1} }}`,
          },
          syncPolicy: PER_WORKSPACE_SYNC,
        },
      },
    },
  };
  const health = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-cm', namespace: 'argocd' },
    data: { 'resource.customizations.health.kaito.sh_Workspace': WORKSPACE_HEALTH_LUA },
  };
  return new Map([
    ['application.yaml', emitYamlDocuments(applications)],
    ['applicationset.yaml', emitYaml(applicationSet)],
    ['argocd-cm-patch.yaml', emitYaml(health)],
    [
      'kustomization.yaml',
      emitYaml({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['application.yaml', 'sync-server.yaml'],
      }),
    ],
    ['sync-server.yaml', emitYamlDocuments(syncServerObjects(options))],
  ]);
}
