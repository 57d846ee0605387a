/**
 * Argo CD bootstrap: one Application for the deploy path (automated sync with prune and self-heal),
 * or, instead of it, an ApplicationSet with the git directory generator that makes one Application
 * per Workspace directory; the `argocd-cm` health check for `kaito.sh/Workspace` (Argo CD has none,
 * so without it a Workspace shows no health at all); and the sync server.
 */
import { emitYaml, emitYamlDocuments, type Tree } from '../render/index.ts';
import type { Resolved } from './bootstrap-options.ts';
import { syncServerObjects } from './sync-server.ts';

/** Keyed on kstatus: not yet observed → Progressing, Stalled → Degraded, Ready → Healthy. */
export const WORKSPACE_HEALTH_LUA = `local hs = {}
if obj.status ~= nil and obj.status.observedGeneration ~= nil and obj.metadata.generation ~= nil and obj.status.observedGeneration ~= obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the Workspace controller to observe the latest generation"
  return hs
end
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "Stalled" and condition.status == "True" then
      hs.status = "Degraded"
      hs.message = condition.message or condition.reason or "Stalled"
      return hs
    end
  end
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "Ready" then
      if condition.status == "True" then
        hs.status = "Healthy"
      else
        hs.status = "Progressing"
      end
      hs.message = condition.message or condition.reason or ""
      return hs
    end
  end
end
hs.status = "Progressing"
hs.message = "Waiting for the Workspace to report Ready"
return hs
`;

const SYNC_POLICY = {
  automated: { prune: true, selfHeal: true },
  syncOptions: ['ServerSideApply=true', 'CreateNamespace=true'],
};

export function argocdTree(options: Resolved): Tree {
  const application = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: 'kaito-workspaces',
      namespace: 'argocd',
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: 'default',
      source: {
        repoURL: options.repo,
        targetRevision: options.branch,
        path: options.path === '' ? '.' : options.path,
      },
      destination: { server: 'https://kubernetes.default.svc' },
      syncPolicy: SYNC_POLICY,
    },
  };
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
          name: `kaito-{{ index .path.segments ${depth + 1} }}-{{ .path.basename }}`,
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
        spec: {
          project: 'default',
          source: { repoURL: options.repo, targetRevision: options.branch, path: '{{ .path.path }}' },
          destination: {
            server: 'https://kubernetes.default.svc',
            namespace: `{{ index .path.segments ${depth + 1} }}`,
          },
          syncPolicy: SYNC_POLICY,
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
    ['application.yaml', emitYaml(application)],
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
