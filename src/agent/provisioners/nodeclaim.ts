/**
 * Kaito-compatible Karpenter `karpenter.sh/v1` NodeClaims (Kaito v0.12 `pkg/utils/nodeclaim/nodeclaim.go`),
 * which gpu-provisioner or Karpenter turn into GPU nodes. One NodeClaim per node the plan needs.
 *
 * Names are `ws` + 9 hex of sha256(namespace/name/index) instead of Kaito's hash over a timestamp: the
 * agent reads NodeClaims from an informer cache that may lag its own creates by a moment, so a second
 * reconcile could otherwise create a duplicate node (a GPU VM billed by the hour). With a name derived
 * from stable inputs the second create answers 409 AlreadyExists and nothing is duplicated; no
 * expectations bookkeeping is needed. `ws` + 9 hex stays a valid AKS agent-pool name, as Kaito's is.
 *
 * The agent creates, counts and deletes only its own NodeClaims: those carrying its node-index label with
 * the name derived from it. Kaito's claims for the same Workspace (one moved from Kaito, README "Moving
 * from Kaito") carry the same workspace labels, but their nodes run Kaito's pods. No
 * `app.kubernetes.io/managed-by` label marks ours: gpu-provisioner copies every NodeClaim label onto the
 * AKS agent pool, and AKS refuses node labels in the `kubernetes.io` namespace.
 */
import { createHash } from 'node:crypto';
import type { V1Node } from '@kubernetes/client-node';
import type { NodeProvisioner, NodeRequest, NodeStatus, WorkspaceKey } from '../node-provisioner.ts';
import {
  CONDITION_REASONS,
  GPU_TAINT,
  INSTANCE_TYPE_LABEL,
  KAITO_GROUP,
  NODE_IMAGE_FAMILY_ANNOTATION,
  WORKSPACE_LABEL,
  WORKSPACE_NAMESPACE_LABEL,
  compareStrings,
} from '../../api/index.ts';
import { nodeVerdict } from '../node-readiness.ts';
import type { ClusterView, NodeClaim, NodeClaimStore } from './cluster-view.ts';

export const NODEPOOL_LABEL = 'karpenter.sh/nodepool';
export const KAITO_NODEPOOL = 'kaito';
export const DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt';
export const AZURE_SKU_LABEL = 'karpenter.azure.com/sku-name';
/** Which node of the plan a NodeClaim is, so scaling down removes the highest first. */
export const NODE_INDEX_LABEL = 'kaito-gitops.io/node-index';

/**
 * Launch failures that waiting cannot fix (the cloud has no capacity or quota for the SKU, or rejects
 * it): the Workspace goes Stalled with the NodeClaim's message, verbatim.
 */
export const PERMANENT_NODECLAIM_REASONS: ReadonlySet<string> = new Set([
  'InsufficientCapacity',
  'QuotaExceeded',
  'InvalidInstanceType',
  'UnsupportedInstanceType',
]);

/** `ws` + the first 9 hex digits of sha256(`namespace/name/index`). */
export function nodeClaimName(workspace: WorkspaceKey, index: number): string {
  const digest = createHash('sha256')
    .update(`${workspace.namespace}/${workspace.name}/${index}`)
    .digest('hex');
  return `ws${digest.slice(0, 9)}`;
}

/** The index of one of this agent's NodeClaims for the workspace; undefined for anyone else's. */
function ownClaimIndex(claim: NodeClaim, workspace: WorkspaceKey): number | undefined {
  const label = claim.metadata?.labels?.[NODE_INDEX_LABEL] ?? '';
  if (!/^(0|[1-9][0-9]*)$/.test(label)) return undefined;
  const index = Number(label);
  return claim.metadata?.name === nodeClaimName(workspace, index) ? index : undefined;
}

/** The NodeClaim for node `index` of the request. Pure. */
export function buildNodeClaim(request: NodeRequest, index: number): NodeClaim {
  const { workspace } = request;
  const instanceType = request.instanceType ?? '';
  const azure = instanceType.startsWith('Standard_');
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodeClaim',
    metadata: {
      name: nodeClaimName(workspace, index),
      labels: {
        ...request.matchLabels,
        [NODEPOOL_LABEL]: KAITO_NODEPOOL,
        [WORKSPACE_LABEL]: workspace.name,
        [WORKSPACE_NAMESPACE_LABEL]: workspace.namespace,
        [NODE_INDEX_LABEL]: String(index),
      },
      annotations: {
        [DO_NOT_DISRUPT]: 'true',
        ...(request.nodeImageFamily !== undefined
          ? { [NODE_IMAGE_FAMILY_ANNOTATION]: request.nodeImageFamily }
          : {}),
      },
    },
    spec: {
      nodeClassRef: azure
        ? { group: KAITO_GROUP, kind: 'KaitoNodeClass', name: 'default' }
        : { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
      taints: [{ ...GPU_TAINT }],
      requirements: [
        { key: NODEPOOL_LABEL, operator: 'In', values: [KAITO_NODEPOOL] },
        { key: INSTANCE_TYPE_LABEL, operator: 'In', values: [instanceType] },
        { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
        ...(azure
          ? [{ key: AZURE_SKU_LABEL, operator: 'In', values: [instanceType] }]
          : [{ key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['0'] }]),
      ],
      resources: { requests: { storage: `${request.diskGiB}Gi` } },
    },
  };
}

/** A launch failure on the claim: the first condition that is False with a reason and a message. */
function claimFailure(claim: NodeClaim): { reason: string; message: string; permanent: boolean } | undefined {
  for (const condition of claim.status?.conditions ?? []) {
    if (condition.status !== 'False' || condition.type === 'Ready') continue;
    if (condition.reason === undefined || condition.message === undefined || condition.message === '')
      continue;
    return {
      reason: condition.reason,
      message: condition.message,
      permanent: PERMANENT_NODECLAIM_REASONS.has(condition.reason),
    };
  }
  return undefined;
}

function isClaimReady(claim: NodeClaim): boolean {
  return claim.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * Pure: the node status from the agent's own NodeClaims for the workspace (see {@link ownClaimIndex})
 * and every node in the cluster. The nodes that count are those the claims name (`status.nodeName`, set
 * by Karpenter when the node registers): a node labelled for the workspace may be Kaito's.
 */
export function nodeClaimStatus(
  request: NodeRequest,
  claims: readonly NodeClaim[],
  nodes: readonly V1Node[],
): NodeStatus {
  const claimNodes = new Set(claims.map((c) => c.status?.nodeName).filter((n) => n !== undefined));
  const requirements = { instanceType: request.instanceType, matchLabels: request.matchLabels };
  const ours = nodes.filter((node) => claimNodes.has(node.metadata?.name ?? ''));
  const verdicts = ours.map((node) => ({
    name: node.metadata?.name ?? '',
    verdict: nodeVerdict(node, requirements),
  }));
  const readyNodes = verdicts
    .filter((v) => v.verdict === 'usable')
    .map((v) => v.name)
    .sort();
  const base = { readyNodes, permanent: false };
  if (readyNodes.length >= request.nodes) {
    return { ...base, ready: true, reason: 'NodesReady', message: 'Enough Nodes are ready' };
  }
  const failures = [...claims]
    .sort((a, b) => compareStrings(a.metadata?.name ?? '', b.metadata?.name ?? ''))
    .map((claim) => ({ claim: claim.metadata?.name ?? '', failure: claimFailure(claim) }));
  const permanent = failures.find((f) => f.failure?.permanent === true);
  if (permanent?.failure !== undefined) {
    return {
      ...base,
      ready: false,
      reason: permanent.failure.reason,
      message: permanent.failure.message,
      permanent: true,
    };
  }
  const readyClaims = claims.filter(isClaimReady).length;
  if (readyClaims < request.nodes) {
    const failing = failures.find((f) => f.failure !== undefined)?.failure;
    const detail = failing !== undefined ? `; ${failing.reason}: ${failing.message}` : '';
    return {
      ...base,
      ready: false,
      reason: CONDITION_REASONS.NodeClaimNotReady,
      message: `Ready NodeClaims are not enough: ${readyClaims} of ${request.nodes} ready${detail}`,
    };
  }
  const waitingForPlugins = verdicts.some((v) => v.verdict === 'no-gpu-capacity');
  if (waitingForPlugins) {
    return {
      ...base,
      ready: false,
      reason: CONDITION_REASONS.NodePluginsNotReady,
      message: `waiting all node plugins to be ready: nvidia.com/gpu capacity on ${readyNodes.length} of ${request.nodes} nodes`,
    };
  }
  return {
    ...base,
    ready: false,
    reason: CONDITION_REASONS.NodeNotReady,
    message: `Not enough Nodes are ready: ${readyNodes.length} of ${request.nodes} of instance type ${request.instanceType ?? ''}`,
  };
}

export class NodeClaimProvisioner implements NodeProvisioner {
  readonly kind = 'nodeclaim' as const;
  readonly #cluster: ClusterView;
  readonly #claims: NodeClaimStore;

  constructor(cluster: ClusterView, claims: NodeClaimStore) {
    this.#cluster = cluster;
    this.#claims = claims;
  }

  async provision(request: NodeRequest): Promise<void> {
    const existing = this.#own(request.workspace);
    const names = new Set(existing.map((c) => c.metadata?.name));
    const wanted = Array.from({ length: request.nodes }, (_, i) => buildNodeClaim(request, i));
    for (const claim of wanted) {
      if (!names.has(claim.metadata?.name)) await this.#claims.create(claim);
    }
    // Scale down: its claims numbered at or beyond the wanted count.
    for (const claim of existing) {
      const index = ownClaimIndex(claim, request.workspace) ?? 0;
      if (index >= request.nodes && !isDeleting(claim)) await this.#claims.delete(claim.metadata?.name ?? '');
    }
  }

  status(request: NodeRequest): Promise<NodeStatus> {
    return Promise.resolve(nodeClaimStatus(request, this.#own(request.workspace), this.#cluster.nodes()));
  }

  /** Deletes the agent's own NodeClaims only: Kaito's, for a Workspace moved from Kaito, stay. */
  async release(workspace: WorkspaceKey): Promise<boolean> {
    const claims = this.#own(workspace);
    for (const claim of claims) {
      if (!isDeleting(claim)) await this.#claims.delete(claim.metadata?.name ?? '');
    }
    return claims.length === 0;
  }

  #own(workspace: WorkspaceKey): NodeClaim[] {
    return this.#claims
      .list(workspace.namespace, workspace.name)
      .filter((claim) => ownClaimIndex(claim, workspace) !== undefined);
  }
}

function isDeleting(claim: NodeClaim): boolean {
  return claim.metadata?.deletionTimestamp !== undefined && claim.metadata.deletionTimestamp !== null;
}
