/** What other folders may use from the agent: starting it, and the provisioner kinds it runs with. */
export { startAgent, type AgentConfig } from './agent.ts';
export { PROVISIONER_KINDS, type ProvisionerKind } from './node-provisioner.ts';
export { createContainerServiceClient } from './provisioners/index.ts';
export { KAITO_WEBHOOK } from './kaito-detection.ts';
export { WORKSPACE_CRD_NAME } from './kube/kaito-objects.ts';
export { apiFailure } from './kube/api-errors.ts';
