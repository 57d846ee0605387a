/** The agent's installation (Helm chart and plain manifests), generated from TypeScript. */
export { CHART_DIR, PLAIN_NAMESPACE, chartFiles, type ChartFile } from './chart-files.ts';
export { writeChart } from './generate.ts';
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
} from './manifests.ts';
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
