/**
 * The node layer behind one narrow interface. Three backends, one file each:
 *
 * - `nodeclaim`: Kaito-compatible Karpenter `karpenter.sh/v1` NodeClaims; gpu-provisioner or Karpenter
 *   turns them into nodes.
 * - `aks`: the agent creates AKS agent pools itself through Azure Resource Manager.
 * - `byo`: bring your own nodes; nothing is created, matching nodes are only checked.
 *
 * Every method is idempotent and returns promptly: a reconcile never waits for a node or a cloud
 * operation. Long operations keep running in the cloud (or in the cluster) and the next call observes
 * them. Outside failures are thrown as TransientError (retry with backoff), something to wait for may be
 * thrown as NotReadyError (Reconciling, look again after its delay); failures that waiting cannot
 * fix (quota, an unknown VM size) are reported through {@link NodeStatus.permanent}.
 */

export const PROVISIONER_KINDS = ['nodeclaim', 'aks', 'byo'] as const;
export type ProvisionerKind = (typeof PROVISIONER_KINDS)[number];

export interface WorkspaceKey {
  namespace: string;
  name: string;
}

/** What one Workspace needs from the node layer; derived from its WorkspacePlan. */
export interface NodeRequest {
  workspace: WorkspaceKey;
  /** VM size / instance type; undefined for bring-your-own nodes. */
  instanceType?: string;
  nodes: number;
  gpusPerNode: number;
  /** Labels the nodes must carry: the Workspace's `resource.labelSelector.matchLabels`. */
  matchLabels: Record<string, string>;
  /** OS disk / storage request, GiB (the preset's disk need). */
  diskGiB: number;
  /** BYO only: GPU memory each node must offer in total, GiB. */
  minNodeGpuMemoryGiB?: number;
  /** `kaito.sh/node-image-family` annotation. */
  nodeImageFamily?: 'ubuntu' | 'azurelinux';
}

/** What the node layer looks like now, for the `ResourceReady` condition. */
export interface NodeStatus {
  /**
   * Nodes that count, sorted: Ready, not being deleted, of the requested instance type (when one is
   * requested), with non-zero `nvidia.com/gpu` capacity, carrying the requested labels.
   */
  readyNodes: string[];
  /** `readyNodes.length >= request.nodes`. */
  ready: boolean;
  /** Condition reason (CamelCase) and a message a person can act on. */
  reason: string;
  message: string;
  /** Waiting will not fix it (quota exceeded, invalid VM size): the Workspace goes `Stalled`. */
  permanent: boolean;
}

export interface NodeProvisioner {
  readonly kind: ProvisionerKind;
  /**
   * Create or resize what is missing for the request; nothing when it is already there or on its way.
   * nodeclaim: NodeClaims up to `nodes`. aks: one agent pool with `count = nodes` (an operation already
   * in progress is resumed, not duplicated). byo: nothing.
   */
  provision(request: NodeRequest): Promise<void>;
  /** Observe the nodes for the request. Never blocks. */
  status(request: NodeRequest): Promise<NodeStatus>;
  /**
   * Start removing everything provisioned for the workspace; resolves `true` once nothing is left.
   * nodeclaim: delete the NodeClaims it created (never Kaito's). aks: delete its agent pool. byo: nothing,
   * `true` at once.
   */
  release(workspace: WorkspaceKey): Promise<boolean>;
  /**
   * Backends that create cloud resources outside Kubernetes (aks) remove those left behind by
   * Workspaces that no longer exist (deleted while the agent was down, say); resolves with what it
   * started deleting. The leader calls it on each resync.
   */
  collectGarbage?(live: readonly WorkspaceKey[]): Promise<string[]>;
}
