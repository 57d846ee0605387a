/**
 * Names and labels of the AKS agent pools the `aks` backend creates. The name is derived from the
 * Workspace alone, so creating is idempotent: a restarted agent computes the same name and finds the
 * pool (or the operation in progress on it) instead of creating a second one.
 */
import { createHash } from 'node:crypto';
import {
  MACHINE_TYPE_LABEL,
  MANAGED_BY_LABEL,
  WORKSPACE_LABEL,
  WORKSPACE_NAMESPACE_LABEL,
  namespacedKey,
} from '../../api/index.ts';
import type { WorkspaceKey } from '../node-provisioner.ts';

/** AKS Linux agent-pool names. */
export const AGENT_POOL_NAME_PATTERN = /^[a-z][a-z0-9]{0,11}$/;

export const LABELS = {
  workspace: WORKSPACE_LABEL,
  workspaceNamespace: WORKSPACE_NAMESPACE_LABEL,
  managedBy: MANAGED_BY_LABEL,
  machineType: MACHINE_TYPE_LABEL,
} as const;

/** `ws` + 10 hex of sha256("<namespace>/<name>"): one agent pool per Workspace, 12 characters. */
export function agentPoolName(workspace: WorkspaceKey): string {
  return `ws${createHash('sha256').update(workspaceId(workspace)).digest('hex').slice(0, 10)}`;
}

/** Labels that tie an agent pool, and so its nodes, to its Workspace. */
export function workspaceLabels(workspace: WorkspaceKey): Record<string, string> {
  return { [LABELS.workspace]: workspace.name, [LABELS.workspaceNamespace]: workspace.namespace };
}

/** The Workspace a labelled pool belongs to, or undefined when it carries no workspace labels. */
export function workspaceOf(labels: Record<string, string> | undefined): WorkspaceKey | undefined {
  const name = labels?.[LABELS.workspace];
  const namespace = labels?.[LABELS.workspaceNamespace];
  return name === undefined || namespace === undefined ? undefined : { namespace, name };
}

/** `/` cannot occur in a namespace or a name, so this is unambiguous. */
export function workspaceId(workspace: WorkspaceKey): string {
  return namespacedKey(workspace.namespace, workspace.name);
}
