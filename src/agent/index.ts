/** What other folders may use from the agent: starting it, and the provisioner kinds it runs with. */
export { startAgent, type AgentConfig } from './agent.ts';
export { PROVISIONER_KINDS, type ProvisionerKind } from './node-provisioner.ts';
export { createContainerServiceClient } from './provisioners/index.ts';
