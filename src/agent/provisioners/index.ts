/**
 * `createNodeProvisioner(kind, deps)`: the one place a backend is chosen. Throws on an unknown kind and
 * on `aks`, which is not built yet (it needs Azure Resource Manager agent pools; a later issue).
 */
import { UsageError } from '../../errors.ts';
import type { NodeProvisioner } from '../node-provisioner.ts';
import { PROVISIONER_KINDS } from '../node-provisioner.ts';
import { ByoProvisioner } from './byo.ts';
import type { ClusterView, NodeClaimStore } from './cluster-view.ts';
import { NodeClaimProvisioner } from './nodeclaim.ts';

export interface ProvisionerDeps {
  cluster: ClusterView;
  nodeClaims: NodeClaimStore;
}

/** The kinds this build can run. */
export const AVAILABLE_PROVISIONERS = ['nodeclaim', 'byo'] as const;

export function createNodeProvisioner(kind: string, deps: ProvisionerDeps): NodeProvisioner {
  switch (kind) {
    case 'nodeclaim':
      return new NodeClaimProvisioner(deps.cluster, deps.nodeClaims);
    case 'byo':
      return new ByoProvisioner(deps.cluster);
    case 'aks':
      throw new UsageError(
        `provisioner "aks" is not available yet (AKS agent pools through Azure Resource Manager are a separate piece of work); use ${AVAILABLE_PROVISIONERS.join(' or ')}`,
      );
    default:
      throw new UsageError(`unknown provisioner "${kind}"; choose one of ${PROVISIONER_KINDS.join(', ')}`);
  }
}

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
export { WORKSPACE_LABEL, WORKSPACE_NAMESPACE_LABEL } from './cluster-view.ts';
