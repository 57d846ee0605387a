/**
 * How kaito-gitops itself is installed, generated from TypeScript: the agent's Helm chart and plain
 * manifests (`charts/kaito-gitops`), and the Flux / Argo CD bootstrap with the sync server
 * (`kaito-gitops init`, and the examples in `gitops/`). Both use one image and one namespace.
 */
export { DEFAULT_IMAGE, IMAGE_REPOSITORY, INSTALL_NAMESPACE, VERSION } from './identity.ts';
export { EXAMPLE_BOOTSTRAP_DIR, installFiles, writeFiles } from './generate.ts';
export {
  EXAMPLE_OPTIONS,
  SYNC_NAMESPACE,
  SYNC_SECRET,
  WORKSPACE_HEALTH_LUA,
  bootstrapTree,
  type BootstrapOptions,
  type BootstrapTool,
} from './bootstrap.ts';
export { CHART_DIR, PLAIN_NAMESPACE, chartFiles, type ChartFile } from './chart-files.ts';
export { helmTemplates } from './helm-templates.ts';
export {
  HEALTH_PATH,
  NAMES,
  PORT,
  WORKLOAD_IDENTITY,
  agentArgs,
  agentManifests,
  namespaceManifest,
  type ChartObject,
} from './agent-manifests.ts';
export { clusterRules, leaseRules, type PolicyRule } from './rbac.ts';
export { valuesSchema } from './values-schema.ts';
export {
  CHART_PROVISIONERS,
  DEFAULT_IMAGE_REPOSITORY,
  defaultValues,
  type AzureValues,
  type ChartProvisioner,
  type ChartValues,
} from './values.ts';
