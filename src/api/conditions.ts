/**
 * Workspace status conditions: Kaito's condition types and reasons (v0.12 `api/v1beta1/condition_types.go`)
 * plus the kstatus trio `Ready`/`Reconciling`/`Stalled` that Flux, Argo CD and `kubectl wait` read, and
 * the pure helpers the agent builds its one status write per reconcile with. kstatus rules: cli-utils
 * `pkg/kstatus/status` (`Compute`): abnormal-true `Reconciling`/`Stalled`, exactly one condition per type.
 */

export const CONDITION_TYPES = {
  ResourceReady: 'ResourceReady',
  InferenceReady: 'InferenceReady',
  JobStarted: 'JobStarted',
  WorkspaceSucceeded: 'WorkspaceSucceeded',
  WorkspaceDeleting: 'WorkspaceDeleting',
  Ready: 'Ready',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
} as const;

export type ConditionType = (typeof CONDITION_TYPES)[keyof typeof CONDITION_TYPES];

/** Reasons, Kaito's spelling where Kaito has the reason. */
export const CONDITION_REASONS = {
  // ResourceReady
  ResourceReady: 'workspaceResourceStatusSuccess',
  ResourceNotReady: 'workspaceResourceStatusFailed',
  NodeClaimNotReady: 'NodeClaimNotReady',
  NodeNotReady: 'NodeNotReady',
  NodePluginsNotReady: 'NodePluginsNotReady',
  // InferenceReady
  InferenceReady: 'WorkspaceInferenceStatusSuccess',
  InferencePending: 'WorkspaceInferenceStatusPending',
  ImagePullError: 'ImagePullError',
  ContainerCrashLoopBackOff: 'ContainerCrashLoopBackOff',
  ContainerOOMKilled: 'ContainerOOMKilled',
  ContainerStartError: 'ContainerStartError',
  PodEvicted: 'PodEvicted',
  /** A pod failed for good for another reason (rejected by the kubelet, node shutdown, its containers failed). */
  PodFailed: 'PodFailed',
  Unschedulable: 'Unschedulable',
  // JobStarted
  TuningJobStarted: 'WorkspaceTuningJobStatusStarted',
  TuningJobPending: 'WorkspaceTuningJobStatusPending',
  TuningJobFailed: 'WorkspaceTuningJobStatusFailed',
  /** The tuning pod's `pusher` could not push the adapter image; the message is the registry's reason. */
  AdapterPushFailed: 'AdapterImagePushFailed',
  // WorkspaceSucceeded
  WorkspaceSucceeded: 'workspaceSucceeded',
  WorkspacePending: 'workspacePending',
  WorkspaceFailed: 'workspaceFailed',
  // WorkspaceDeleting
  WorkspaceDeleted: 'workspaceDeleted',
  // Ready / Reconciling / Stalled
  Succeeded: 'Succeeded',
  Progressing: 'Progressing',
  ProgressingWithRetry: 'ProgressingWithRetry',
  InvalidSpec: 'InvalidSpec',
  ProvisioningFailed: 'ProvisioningFailed',
  WorkloadFailed: 'WorkloadFailed',
} as const;

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** `metav1.Condition`. */
export interface Condition {
  type: string;
  status: ConditionStatus;
  /** CamelCase identifier, never empty. */
  reason: string;
  message: string;
  /** The `metadata.generation` the condition was computed from. */
  observedGeneration?: number;
  /** RFC 3339, second precision, as the API server stores it. */
  lastTransitionTime: string;
}

export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

/** RFC 3339 with second precision (`metav1.Time` drops fractions). */
export function formatTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Returns `conditions` with `next` in place of every condition of its type (one per type), keeping the
 * position of the first one, and `lastTransitionTime` when the status did not change. Pure: the input is
 * not modified.
 */
export function setCondition(
  conditions: readonly Condition[],
  next: ConditionUpdate,
  now: Date,
): Condition[] {
  const existing = conditions.find((c) => c.type === next.type);
  const lastTransitionTime =
    existing !== undefined && existing.status === next.status ? existing.lastTransitionTime : formatTime(now);
  const updated: Condition = { ...next, lastTransitionTime };
  const out: Condition[] = [];
  let placed = false;
  for (const condition of conditions) {
    if (condition.type !== next.type) out.push(condition);
    else if (!placed) {
      out.push(updated);
      placed = true;
    }
  }
  if (!placed) out.push(updated);
  return out;
}

/** Returns `conditions` without any condition of `type`. */
export function removeCondition(conditions: readonly Condition[], type: string): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

export function findCondition(conditions: readonly Condition[], type: string): Condition | undefined {
  return conditions.find((c) => c.type === type);
}

export function isTrue(conditions: readonly Condition[], type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** kstatus status values a Workspace can reach (NotFound and Unknown are the caller's). */
export type KstatusStatus = 'InProgress' | 'Failed' | 'Current' | 'Terminating';

export interface StatusSummary {
  status: KstatusStatus;
  /** The deciding condition's reason, or kstatus's own (`LatestGenerationNotObserved`). */
  reason: string;
  message: string;
}

export interface SummaryContext {
  /** `metadata.generation`. */
  generation?: number;
  /** `status.observedGeneration`; when given and different from `generation`, the object is InProgress. */
  observedGeneration?: number;
  /** `metadata.deletionTimestamp` is set. */
  deleting?: boolean;
}

/** kstatus `Compute` for a Workspace: what Flux's health check and Argo CD will conclude. */
export function summarize(conditions: readonly Condition[], context: SummaryContext = {}): StatusSummary {
  if (context.deleting === true) {
    return { status: 'Terminating', reason: 'Terminating', message: 'Resource scheduled for deletion' };
  }
  const { generation, observedGeneration } = context;
  if (observedGeneration !== undefined && generation !== undefined && observedGeneration !== generation) {
    return {
      status: 'InProgress',
      reason: 'LatestGenerationNotObserved',
      message: `Workspace generation is ${generation}, but latest observed generation is ${observedGeneration}`,
    };
  }
  const reconciling = findCondition(conditions, CONDITION_TYPES.Reconciling);
  if (reconciling?.status === 'True') {
    return { status: 'InProgress', reason: reconciling.reason, message: reconciling.message };
  }
  const stalled = findCondition(conditions, CONDITION_TYPES.Stalled);
  if (stalled?.status === 'True')
    return { status: 'Failed', reason: stalled.reason, message: stalled.message };
  const ready = findCondition(conditions, CONDITION_TYPES.Ready);
  if (ready !== undefined) {
    return {
      status: ready.status === 'True' ? 'Current' : 'InProgress',
      reason: ready.reason,
      message: ready.message,
    };
  }
  return { status: 'Current', reason: '', message: 'Resource is current' };
}
