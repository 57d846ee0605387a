/**
 * The production ARM client for `--provisioner=aks`: `DefaultAzureCredential`, which in the cluster picks
 * up Azure workload identity (AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE, injected by
 * the workload-identity webhook into pods labelled `azure.workload.identity/use: "true"`).
 */
import {
  ContainerServiceClient,
  type ContainerServiceClientOptionalParams,
} from '@azure/arm-containerservice';
import { DefaultAzureCredential } from '@azure/identity';

/** What the SDK accepts as a credential (`@azure/core-auth`'s TokenCredential). */
export type ArmCredential = ConstructorParameters<typeof ContainerServiceClient>[0];

export function createContainerServiceClient(
  subscriptionId: string,
  credential: ArmCredential = new DefaultAzureCredential(),
  options: ContainerServiceClientOptionalParams = {},
): ContainerServiceClient {
  return new ContainerServiceClient(credential, subscriptionId, options);
}
