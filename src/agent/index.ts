/** What other folders may use from the agent: starting it, and the provisioner kinds it runs with. */
import type { ContainerServiceClient } from '@azure/arm-containerservice';

export { startAgent, type AgentConfig } from './agent.ts';
export { PROVISIONER_KINDS, type ProvisionerKind } from './node-provisioner.ts';
export { KAITO_WEBHOOK } from './kaito-detection.ts';
export { WORKSPACE_CRD_NAME } from './kube/kaito-objects.ts';
export { apiFailure } from './kube/api-errors.ts';

/**
 * The ARM client for `--provisioner aks` (`DefaultAzureCredential`). The Azure SDKs are loaded by this
 * call, never at start-up: the nodeclaim and byo agents do not carry them.
 */
export async function loadContainerServiceClient(subscriptionId: string): Promise<ContainerServiceClient> {
  const { createContainerServiceClient } = await import('./provisioners/aks-client.ts');
  return createContainerServiceClient(subscriptionId);
}
