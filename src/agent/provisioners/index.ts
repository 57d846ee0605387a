/**
 * `createNodeProvisioner(kind, deps)`: the one place a backend is chosen. Throws on an unknown kind, and
 * on `aks` without its Azure settings.
 */
import { UsageError } from '../../errors.ts';
import type { NodeProvisioner } from '../node-provisioner.ts';
import { PROVISIONER_KINDS } from '../node-provisioner.ts';
import { AksProvisioner, type AksTarget } from './aks.ts';
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import { ByoProvisioner } from './byo.ts';
import type { ClusterView, NodeClaimStore } from './cluster-view.ts';
import { NodeClaimProvisioner } from './nodeclaim.ts';

export interface ProvisionerDeps {
  cluster: ClusterView;
  nodeClaims: NodeClaimStore;
  /** aks only: the ARM client (DefaultAzureCredential in the cluster) and the cluster's agent pools. */
  aks?: AksTarget & { client: Pick<ContainerServiceClient, 'agentPools'> };
}

export function createNodeProvisioner(name: string, deps: ProvisionerDeps): NodeProvisioner {
  const kind = PROVISIONER_KINDS.find((k) => k === name);
  if (kind === undefined) {
    throw new UsageError(`unknown provisioner "${name}"; choose one of ${PROVISIONER_KINDS.join(', ')}`);
  }
  switch (kind) {
    case 'nodeclaim':
      return new NodeClaimProvisioner(deps.cluster, deps.nodeClaims);
    case 'byo':
      return new ByoProvisioner(deps.cluster);
    case 'aks':
      if (deps.aks === undefined) {
        throw new UsageError(
          'provisioner "aks" needs the Azure subscription, resource group and cluster name of the AKS cluster',
        );
      }
      return new AksProvisioner({ ...deps.aks, cluster: deps.cluster });
  }
}

export { AksProvisioner, type AksProvisionerOptions, type AksTarget } from './aks.ts';
export { agentPoolName } from './agent-pool-names.ts';
export { ByoProvisioner, byoStatus, gpuConfigFromLabels } from './byo.ts';
export type { GpuConfig } from './byo.ts';
export {
  NodeClaimProvisioner,
  buildNodeClaim,
  nodeClaimName,
  nodeClaimStatus,
  PERMANENT_NODECLAIM_REASONS,
} from './nodeclaim.ts';
export type { ClusterView, NodeClaim, NodeClaimStore } from './cluster-view.ts';
