/**
 * The labels every generated object and pod carries. Workload selectors use only the Workspace label:
 * selectors are immutable, so anything else in them would turn a label change into a failed apply.
 */
import { MANAGED_BY, MANAGED_BY_LABEL, WORKSPACE_LABEL } from '../api/index.ts';

/** `kaito.sh/workspace: <name>` and `app.kubernetes.io/managed-by: kaito-gitops`. */
export function workspaceLabels(name: string): Record<string, string> {
  return { [WORKSPACE_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY };
}

/** The stable selector of a Workspace's pods. */
export function selectorLabels(name: string): Record<string, string> {
  return { [WORKSPACE_LABEL]: name };
}

/** `labels` with the Workspace labels added (ours win: they are what selectors and the agent rely on). */
export function withWorkspaceLabels(
  labels: Readonly<Record<string, string>> | undefined,
  name: string,
): Record<string, string> {
  return { ...labels, ...workspaceLabels(name) };
}
