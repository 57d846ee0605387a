/**
 * Names and labels of the AKS agent pools the `aks` backend creates. The name is derived from the
 * Workspace alone, so creating is idempotent: a restarted agent computes the same name and finds the
 * pool (or the operation in progress on it) instead of creating a second one.
 *
 * A pool is this agent's when its {@link AGENT_POOL_LABEL} names the pool itself and that name is the one
 * derived from its workspace labels, as the nodeclaim backend knows its NodeClaims by their node-index
 * label and derived name. Pools made by anything else (gpu-provisioner copies Kaito's NodeClaim labels,
 * `kaito.sh/workspace` included, onto the pools it creates) are never matched. No
 * `app.kubernetes.io/managed-by` label: AKS refuses node labels in the `kubernetes.io` and `k8s.io`
 * namespaces with 400 BadRequest (kubelet's NodeRestriction rules; Azure/AKS#2866, #1937).
 */
import { createHash } from 'node:crypto';
import {
  MACHINE_TYPE_LABEL,
  WORKSPACE_LABEL,
  WORKSPACE_NAMESPACE_LABEL,
  namespacedKey,
} from '../../api/index.ts';
import type { WorkspaceKey } from '../node-provisioner.ts';

/** AKS Linux agent-pool names. */
export const AGENT_POOL_NAME_PATTERN = /^[a-z][a-z0-9]{0,11}$/;

/** On the pool and so on each of its nodes: the pool's own name. */
export const AGENT_POOL_LABEL = 'kaito-gitops.io/agent-pool';

export const LABELS = {
  workspace: WORKSPACE_LABEL,
  workspaceNamespace: WORKSPACE_NAMESPACE_LABEL,
  agentPool: AGENT_POOL_LABEL,
  machineType: MACHINE_TYPE_LABEL,
} as const;

/** `ws` + 10 hex of sha256("<namespace>/<name>"): one agent pool per Workspace, 12 characters. */
export function agentPoolName(workspace: WorkspaceKey): string {
  return `ws${createHash('sha256').update(workspaceId(workspace)).digest('hex').slice(0, 10)}`;
}

/** Labels that tie an agent pool, and so its nodes, to its Workspace (Kaito pins its pods to the first two). */
export function workspaceLabels(workspace: WorkspaceKey): Record<string, string> {
  return {
    [LABELS.workspace]: workspace.name,
    [LABELS.workspaceNamespace]: workspace.namespace,
    [LABELS.agentPool]: agentPoolName(workspace),
  };
}

/**
 * The Workspace an agent pool belongs to when this agent created it: the pool is named and labelled as
 * {@link workspaceLabels} derive from its workspace labels. Undefined for any other pool.
 */
export function workspaceOf(
  poolName: string | undefined,
  labels: Record<string, string> | undefined,
): WorkspaceKey | undefined {
  const name = labels?.[LABELS.workspace];
  const namespace = labels?.[LABELS.workspaceNamespace];
  if (name === undefined || namespace === undefined || poolName === undefined) return undefined;
  const derived = agentPoolName({ namespace, name });
  return poolName === derived && labels?.[LABELS.agentPool] === derived ? { namespace, name } : undefined;
}

/** `/` cannot occur in a namespace or a name, so this is unambiguous. */
export function workspaceId(workspace: WorkspaceKey): string {
  return namespacedKey(workspace.namespace, workspace.name);
}
