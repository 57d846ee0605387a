/**
 * What the provisioners need from the cluster, narrow so tests pass fakes: reads come from the agent's
 * informer caches (never a fresh list per reconcile), writes go to the API server. Writes are idempotent:
 * creating what exists and deleting what is gone both succeed.
 */
import type { KubernetesObject, V1Node } from '@kubernetes/client-node';

/** A `karpenter.sh/v1` NodeClaim: only the fields the agent reads or writes. */
export interface NodeClaim extends KubernetesObject {
  spec?: {
    nodeClassRef?: { group: string; kind: string; name: string };
    taints?: { key: string; value?: string; effect: string }[];
    requirements?: { key: string; operator: string; values?: string[] }[];
    resources?: { requests?: Record<string, string> };
  };
  status?: {
    nodeName?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export interface ClusterView {
  /** Every Node in the informer cache. */
  nodes(): readonly V1Node[];
}

export interface NodeClaimStore {
  /** NodeClaims labelled for the workspace, from the informer cache. */
  list(namespace: string, name: string): readonly NodeClaim[];
  /** Creates it; an existing NodeClaim of that name is success (409 AlreadyExists). */
  create(claim: NodeClaim): Promise<void>;
  /** Deletes it; one already gone is success (404). */
  delete(name: string): Promise<void>;
}
