/**
 * A Workspace object as the live status after merge sees it: which commit of which repository it came
 * from (sync's provenance annotations) and its kstatus verdict: pending while reconciling (or while the
 * status is older than the spec), success when Ready, failure when Stalled, with the condition's reason.
 * Pure; Workspaces that sync did not render (no provenance) have no live state.
 */
import {
  SOURCE_COMMIT_ANNOTATION,
  SOURCE_REPOSITORY_ANNOTATION,
  findCondition,
  summarize,
  CONDITION_TYPES,
} from '../api/index.ts';
import type { LiveState } from '../report/index.ts';
import type { WorkspaceObject } from './workspace-object.ts';

const COMMIT = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

export function liveStateOf(object: WorkspaceObject): LiveState | undefined {
  const metadata = object.metadata ?? {};
  const repository = metadata.annotations?.[SOURCE_REPOSITORY_ANNOTATION];
  const commit = metadata.annotations?.[SOURCE_COMMIT_ANNOTATION];
  if (repository === undefined || commit === undefined || !COMMIT.test(commit)) return undefined;
  if (metadata.deletionTimestamp !== undefined) return undefined;
  const conditions = object.status?.conditions ?? [];
  const summary = summarize(conditions, {
    ...(metadata.generation !== undefined ? { generation: metadata.generation } : {}),
    ...(object.status?.observedGeneration !== undefined
      ? { observedGeneration: object.status.observedGeneration }
      : {}),
  });
  const ready = findCondition(conditions, CONDITION_TYPES.Ready)?.status === 'True';
  const state =
    summary.status === 'Failed' ? 'failure' : summary.status === 'Current' && ready ? 'success' : 'pending';
  return {
    namespace: metadata.namespace ?? '',
    name: metadata.name ?? '',
    repository,
    commit,
    state,
    reason: summary.reason,
    message: summary.message,
  };
}
