/**
 * The Workspace status, recomputed from what is observed on every reconcile (never carried forward from
 * an earlier verdict, so a workload that breaks after being Ready turns InferenceReady False: the stale
 * status of kaito#931/#1493 cannot happen). Kaito's conditions plus kstatus `Ready`/`Reconciling`/
 * `Stalled`, `observedGeneration`, `workerNodes`, `targetNodeCount` and `state` (Kaito v0.9+). Pure:
 * the reconciler observes, this computes, the writer writes once when {@link statusChanged}.
 */
import type { Problem } from '../errors.ts';
import { formatProblems } from '../errors.ts';
import type { Condition, ConditionStatus, ConditionUpdate } from '../api/index.ts';
import {
  CONDITION_REASONS as R,
  CONDITION_TYPES as T,
  compareStrings,
  findCondition,
  setCondition,
} from '../api/index.ts';
import type { NodeStatus } from './node-provisioner.ts';
import type { PodFailure } from './pod-failure.ts';

/** Inference: `Pending` until first ready, then `Ready`/`NotReady`. Tuning: `Pending`, `Running`, `Succeeded`, `Failed`. */
export type WorkspaceState = 'Pending' | 'Ready' | 'NotReady' | 'Running' | 'Succeeded' | 'Failed';

export interface WorkspaceStatus {
  conditions: Condition[];
  /** `metadata.generation` this status was computed from (CRD default -1). */
  observedGeneration: number;
  /** Nodes that count for the Workspace, sorted. */
  workerNodes: string[];
  targetNodeCount: number;
  state: WorkspaceState;
}

/** The inference Deployment or StatefulSet, as observed. */
export interface InferenceObservation {
  kind: 'inference';
  /** The workload object exists. */
  found: boolean;
  replicas: number;
  readyReplicas: number;
  /** The most specific failure among its pods that are not ready. */
  podFailure?: PodFailure;
}

/** The tuning Job, as observed. */
export interface TuningObservation {
  kind: 'tuning';
  found: boolean;
  active: number;
  ready: number;
  succeeded: number;
  /** The Job has a `Failed=True` condition; its message. */
  failedMessage?: string;
  podFailure?: PodFailure;
}

export interface Observed {
  /** Spec or plan problems: nothing can be provisioned until the spec changes (Stalled). */
  specProblems?: readonly Problem[];
  /** The workload kind the spec asks for; from the spec even when planning failed. */
  workload: InferenceObservation | TuningObservation;
  /** Node layer status; undefined when there is no plan to ask it about. */
  nodes?: NodeStatus;
  targetNodeCount: number;
  /** A transient failure during this reconcile (the API, the cloud): shown, and retried. */
  reconcileError?: string;
  previous?: Partial<WorkspaceStatus>;
}

const RESOURCE_READY_MESSAGE = 'workspace resource is ready';

export function computeStatus(observed: Observed, generation: number, now: Date): WorkspaceStatus {
  let conditions = [...(observed.previous?.conditions ?? [])].filter((c) => c.type !== T.WorkspaceDeleting);
  const set = (type: string, status: ConditionStatus, reason: string, message: string): void => {
    const update: ConditionUpdate = { type, status, reason, message, observedGeneration: generation };
    conditions = setCondition(conditions, update, now);
  };

  const specMessage =
    observed.specProblems !== undefined && observed.specProblems.length > 0
      ? formatProblems(observed.specProblems)
      : undefined;

  // ResourceReady
  const nodes = observed.nodes;
  const resourceReady = specMessage === undefined && nodes?.ready === true;
  if (specMessage !== undefined)
    set(T.ResourceReady, 'False', R.InvalidSpec, `the spec is invalid: ${specMessage}`);
  else if (nodes === undefined)
    set(T.ResourceReady, 'Unknown', R.ResourceNotReady, 'node status not observed yet');
  else if (nodes.ready) set(T.ResourceReady, 'True', R.ResourceReady, RESOURCE_READY_MESSAGE);
  else set(T.ResourceReady, 'False', nodes.reason, nodes.message);

  // Workload conditions and the summary
  const workload = observed.workload;
  let succeeded: boolean;
  let workloadFailedPermanently = false;
  let state: WorkspaceState;
  if (workload.kind === 'inference') {
    conditions = conditions.filter((c) => c.type !== T.JobStarted);
    const ready =
      workload.found &&
      workload.replicas > 0 &&
      workload.readyReplicas >= workload.replicas &&
      workload.podFailure === undefined;
    if (ready) set(T.InferenceReady, 'True', R.InferenceReady, 'Inference has been deployed successfully');
    else if (workload.podFailure !== undefined)
      set(T.InferenceReady, 'False', workload.podFailure.reason, workload.podFailure.message);
    else set(T.InferenceReady, 'False', R.InferencePending, inferencePendingMessage(workload));
    succeeded = ready && resourceReady;
    if (succeeded) set(T.WorkspaceSucceeded, 'True', R.WorkspaceSucceeded, 'workspace succeeds');
    else
      set(
        T.WorkspaceSucceeded,
        'False',
        R.WorkspacePending,
        'workspace is waiting for inference workload readiness',
      );
    const wasReady = observed.previous?.state === 'Ready' || observed.previous?.state === 'NotReady';
    state = succeeded ? 'Ready' : wasReady ? 'NotReady' : 'Pending';
  } else {
    conditions = conditions.filter((c) => c.type !== T.InferenceReady);
    const failed = workload.failedMessage !== undefined;
    const done = workload.succeeded > 0;
    const started = workload.found && (workload.active > 0 || workload.ready > 0 || done);
    if (failed) set(T.JobStarted, 'False', R.TuningJobFailed, `tuning job failed: ${workload.failedMessage}`);
    else if (started) set(T.JobStarted, 'True', R.TuningJobStarted, 'Tuning job has started');
    else if (workload.podFailure !== undefined)
      set(T.JobStarted, 'False', workload.podFailure.reason, workload.podFailure.message);
    else
      set(
        T.JobStarted,
        'False',
        R.TuningJobPending,
        workload.found ? 'Tuning job is waiting for its pod' : 'Tuning job has not been created yet',
      );
    succeeded = done && !failed;
    workloadFailedPermanently = failed;
    if (succeeded) set(T.WorkspaceSucceeded, 'True', R.WorkspaceSucceeded, 'workspace succeeds');
    else if (failed)
      set(T.WorkspaceSucceeded, 'False', R.WorkspaceFailed, `tuning job failed: ${workload.failedMessage}`);
    else
      set(
        T.WorkspaceSucceeded,
        'False',
        R.WorkspacePending,
        started
          ? 'workspace is waiting for the tuning job to complete'
          : 'workspace is waiting for tuning job to start',
      );
    state = succeeded ? 'Succeeded' : failed ? 'Failed' : started ? 'Running' : 'Pending';
  }

  // kstatus: Stalled only when waiting cannot help; Reconciling while anything is still on its way.
  const stall =
    specMessage !== undefined
      ? { reason: R.InvalidSpec, message: specMessage }
      : nodes?.permanent === true && !nodes.ready
        ? { reason: R.ProvisioningFailed, message: nodes.message }
        : workloadFailedPermanently
          ? {
              reason: R.WorkloadFailed,
              message: `tuning job failed: ${workload.kind === 'tuning' ? workload.failedMessage : ''}`,
            }
          : undefined;
  if (succeeded && stall === undefined) {
    set(T.Ready, 'True', R.Succeeded, 'workspace succeeds');
    set(T.Reconciling, 'False', R.Succeeded, 'workspace succeeds');
    set(T.Stalled, 'False', R.Succeeded, 'workspace succeeds');
  } else if (stall !== undefined) {
    set(T.Ready, 'False', stall.reason, stall.message);
    set(T.Reconciling, 'False', stall.reason, stall.message);
    set(T.Stalled, 'True', stall.reason, stall.message);
  } else {
    const blocking = firstNotTrue(conditions);
    const retrying = observed.reconcileError !== undefined;
    const reason = retrying ? R.ProgressingWithRetry : R.Progressing;
    const message = retrying
      ? `retrying after error: ${observed.reconcileError}`
      : blocking === undefined
        ? 'reconciling'
        : `${blocking.type}: ${blocking.message}`;
    set(T.Ready, 'False', blocking?.reason ?? reason, message);
    set(T.Reconciling, 'True', reason, message);
    set(T.Stalled, 'False', reason, message);
  }

  return {
    conditions,
    observedGeneration: generation,
    workerNodes: [...(nodes?.readyNodes ?? [])].sort(),
    targetNodeCount: observed.targetNodeCount,
    state,
  };
}

/** The deletion status: `WorkspaceDeleting=True`, saying what the agent still waits for and why. */
export function deletingStatus(
  previous: Partial<WorkspaceStatus> | undefined,
  generation: number,
  waitingFor: string | undefined,
  now: Date,
): WorkspaceStatus {
  const message =
    waitingFor === undefined
      ? 'workspace is being deleted'
      : `workspace is being deleted; waiting for ${waitingFor}`;
  const conditions = setCondition(
    previous?.conditions ?? [],
    {
      type: T.WorkspaceDeleting,
      status: 'True',
      reason: R.WorkspaceDeleted,
      message,
      observedGeneration: generation,
    },
    now,
  );
  return {
    conditions,
    observedGeneration: generation,
    workerNodes: previous?.workerNodes ?? [],
    targetNodeCount: previous?.targetNodeCount ?? 0,
    state: previous?.state ?? 'Pending',
  };
}

function inferencePendingMessage(workload: InferenceObservation): string {
  if (!workload.found) return 'Inference workload is not ready: it has not been created yet';
  return `Inference workload is not ready: ${workload.readyReplicas}/${workload.replicas} replicas ready`;
}

const ORDER: readonly string[] = [T.ResourceReady, T.InferenceReady, T.JobStarted, T.WorkspaceSucceeded];

function firstNotTrue(conditions: readonly Condition[]): Condition | undefined {
  for (const type of ORDER) {
    const condition = findCondition(conditions, type);
    if (condition !== undefined && condition.status !== 'True') return condition;
  }
  return undefined;
}

/** Whether writing `next` would change anything the API server holds; false means skip the write. */
export function statusChanged(previous: unknown, next: WorkspaceStatus): boolean {
  if (previous === null || typeof previous !== 'object') return true;
  // Only the fields this agent writes: others (e.g. Kaito's `performance`) survive a merge patch and
  // must not make every reconcile look like a change.
  const stored = previous as Record<string, unknown>;
  const owned = Object.fromEntries(Object.keys(next).map((key) => [key, stored[key]]));
  return canonical(owned) !== canonical(next);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => compareStrings(a, b)),
        )
      : v,
  );
}
