/**
 * How kaito-gitops itself is installed, generated from TypeScript: the agent's Helm chart and plain
 * manifests (`charts/kaito-gitops`), and the Flux / Argo CD bootstrap with the sync server
 * (`kaito-gitops init`, and the examples in `gitops/`). Both use one image and one namespace.
 */
export { INSTALL_NAMESPACE } from './identity.ts';
export { installFiles, writeFiles } from './generate.ts';
export { EXAMPLE_OPTIONS, bootstrapTree, type BootstrapTool } from './bootstrap.ts';
export { CHART_DIR, PLAIN_RELEASE, chartFiles } from './chart-files.ts';
export { fluxTimeout, type FluxTimeout } from './flux-timeout.ts';

export { agentManifests, namespaceManifest, type ChartObject } from './agent-manifests.ts';

export { CHART_PROVISIONERS, defaultValues, type ChartValues } from './values.ts';
export { AGENT_MEMORY, agentNodeOptions } from './agent-resources.ts';
