/**
 * The AKS agent pool one Workspace gets, and what to do about the one that exists: pure functions over
 * `@azure/arm-containerservice` v25's flattened `AgentPool` model. The pool looks like the one
 * gpu-provisioner creates for a NodeClaim (v0.4.3 `pkg/providers/instance/instance.go`) with `count` set
 * to the Workspace's node count, with one deliberate difference: no `karpenter.sh/nodepool` label, because
 * gpu-provisioner's garbage collector deletes every pool carrying it whose NodeClaim it cannot find. Every
 * node label is one AKS accepts (none in `kubernetes.io` / `k8s.io`; see agent-pool-names.ts), apart from
 * the Workspace's own `labelSelector`, whose refusal ARM reports and the Workspace shows.
 */
import type { AgentPool } from '@azure/arm-containerservice';
import type { NodeRequest, WorkspaceKey } from '../node-provisioner.ts';
import { LABELS, workspaceId, workspaceLabels, workspaceOf } from './agent-pool-names.ts';

export const GPU_TAINT = 'sku=gpu:NoSchedule';

/** States in which AKS refuses another write: an operation is running, possibly started before a restart. */
export const OPERATION_STATES = new Set([
  'Creating',
  'Scaling',
  'Updating',
  'Upgrading',
  'Deleting',
  'Starting',
  'Stopping',
  'Canceling',
]);

export function agentPoolNodeLabels(request: NodeRequest): Record<string, string> {
  return {
    ...request.matchLabels,
    ...workspaceLabels(request.workspace),
    [LABELS.machineType]: 'gpu',
  };
}

/** The pool to PUT for the request. `request.instanceType` must be set. */
export function agentPoolSpec(request: NodeRequest): AgentPool {
  if (request.instanceType === undefined) {
    throw new TypeError(
      'an agent pool needs resource.instanceType; bring-your-own nodes use --provisioner=byo',
    );
  }
  return {
    count: request.nodes,
    vmSize: request.instanceType,
    mode: 'User',
    osType: 'Linux',
    osSKU: request.nodeImageFamily === 'azurelinux' ? 'AzureLinux' : 'Ubuntu',
    osDiskSizeGB: request.diskGiB,
    typePropertiesType: 'VirtualMachineScaleSets',
    nodeLabels: agentPoolNodeLabels(request),
    nodeTaints: [GPU_TAINT],
  };
}

export type PoolAction =
  | { kind: 'create' }
  /** PUT the desired pool: count, labels or taints differ, or the last operation failed. */
  | { kind: 'update'; why: string }
  /** A property AKS cannot change in place differs: delete, then create on a later reconcile. */
  | { kind: 'recreate'; why: string }
  /** An operation is running on the pool (ours, or one started before an agent restart): resume it. */
  | { kind: 'wait'; state: string }
  | { kind: 'none' }
  /** The pool name is taken by a pool that is not this Workspace's. */
  | { kind: 'conflict'; owner: string };

function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const left = a ?? {};
  const right = b ?? {};
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((k) => left[k] === right[k]);
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());
}

/** The Workspace of a pool this agent created; undefined for every other pool (agent-pool-names.ts). */
export function poolOwner(pool: AgentPool): WorkspaceKey | undefined {
  return workspaceOf(pool.name, pool.nodeLabels);
}

export function decideAgentPoolAction(
  desired: AgentPool,
  workspace: WorkspaceKey,
  existing: AgentPool | undefined,
): PoolAction {
  if (existing === undefined) return { kind: 'create' };
  const owner = poolOwner(existing);
  if (owner === undefined || workspaceId(owner) !== workspaceId(workspace)) {
    return {
      kind: 'conflict',
      owner: owner === undefined ? 'not created by kaito-gitops' : `Workspace ${workspaceId(owner)}`,
    };
  }
  const state = existing.provisioningState ?? 'Succeeded';
  if (OPERATION_STATES.has(state)) return { kind: 'wait', state };
  for (const field of ['vmSize', 'osSKU', 'osDiskSizeGB'] as const) {
    if (existing[field] !== undefined && existing[field] !== desired[field]) {
      return { kind: 'recreate', why: `${field} ${String(existing[field])} → ${String(desired[field])}` };
    }
  }
  if (existing.count !== desired.count)
    return { kind: 'update', why: `count ${existing.count ?? 0} → ${desired.count ?? 0}` };
  if (!sameMap(existing.nodeLabels, desired.nodeLabels))
    return { kind: 'update', why: 'node labels changed' };
  if (!sameList(existing.nodeTaints, desired.nodeTaints))
    return { kind: 'update', why: 'node taints changed' };
  if (state === 'Failed' || state === 'Canceled') return { kind: 'update', why: `last operation ${state}` };
  return { kind: 'none' };
}
