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
import { CONDITION_REASONS as R, CONDITION_TYPES as T, findCondition, setCondition } from '../api/index.ts';
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
  /** What the tuning pod pushed, from its `pusher` container's termination message. */
  tuning?: { outputImage: string };
}

/** The inference Deployment or StatefulSet, as observed. */
export interface InferenceObservation {
  kind: 'inference';
  /** The workload object exists. */
  found: boolean;
  replicas: number;
  readyReplicas: number;
  /** The most specific failure among its pods that are not ready (failed ones until replaced). */
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
  /** The `pusher` pushed the adapter: `image@sha256:...`. */
  outputImage?: string;
  /** The `pusher` failed: its reason (the registry's words), from the termination message. */
  pushFailure?: string;
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

/** A condition to set, before `observedGeneration` and the transition time are added. */
type Verdict = Pick<ConditionUpdate, 'type' | 'status' | 'reason' | 'message'>;

const WORKSPACE_SUCCEEDED: Verdict = {
  type: T.WorkspaceSucceeded,
  status: 'True',
  reason: R.WorkspaceSucceeded,
  message: 'workspace succeeds',
};

/** Why the Workspace cannot progress without a change (kstatus `Stalled`), if it cannot. */
interface Stall {
  reason: string;
  message: string;
}

/** What the workload's conditions say, for the summary. */
interface WorkloadVerdict {
  conditions: Verdict[];
  /** The condition of the other workload kind, removed. */
  drop: string;
  succeeded: boolean;
  state: WorkspaceState;
  /** The workload failed for good (a tuning Job that failed). */
  stall?: Stall;
}

export function computeStatus(observed: Observed, generation: number, now: Date): WorkspaceStatus {
  let conditions = [...(observed.previous?.conditions ?? [])].filter((c) => c.type !== T.WorkspaceDeleting);
  const apply = (verdicts: readonly Verdict[]): void => {
    for (const verdict of verdicts) {
      conditions = setCondition(conditions, { ...verdict, observedGeneration: generation }, now);
    }
  };

  const specMessage =
    observed.specProblems !== undefined && observed.specProblems.length > 0
      ? formatProblems(observed.specProblems)
      : undefined;
  const nodes = observed.nodes;
  const resourceReady = specMessage === undefined && nodes?.ready === true;
  apply([resourceCondition(specMessage, nodes)]);

  const workload =
    observed.workload.kind === 'inference'
      ? inferenceVerdict(observed.workload, resourceReady, observed.previous?.state)
      : tuningVerdict(observed.workload);
  conditions = conditions.filter((c) => c.type !== workload.drop);
  apply(workload.conditions);

  // kstatus: Stalled only when waiting cannot help; Reconciling while anything is still on its way.
  const stall: Stall | undefined =
    specMessage !== undefined
      ? { reason: R.InvalidSpec, message: specMessage }
      : nodes?.permanent === true && !nodes.ready
        ? { reason: R.ProvisioningFailed, message: nodes.message }
        : (workload.stall ?? unschedulableStall(conditions, now));
  apply(kstatusConditions(workload.succeeded, stall, firstNotTrue(conditions), observed.reconcileError));

  return {
    conditions,
    observedGeneration: generation,
    workerNodes: [...(nodes?.readyNodes ?? [])].sort(),
    targetNodeCount: observed.targetNodeCount,
    state: workload.state,
    ...(observed.workload.kind === 'tuning' && observed.workload.outputImage !== undefined
      ? { tuning: { outputImage: observed.workload.outputImage } }
      : {}),
  };
}

/**
 * How long pods may stay Unschedulable once their nodes are Ready (GPUs advertised) before the Workspace
 * is Stalled: while nodes are coming, Unschedulable is normal; long after, something else holds the GPUs
 * or the pods do not fit, and waiting will not fix it (Argo CD shows Degraded, Flux fails the check).
 */
export const UNSCHEDULABLE_BUDGET_MS = 10 * 60_000;

function unschedulableStall(conditions: readonly Condition[], now: Date): Stall | undefined {
  const inference = findCondition(conditions, T.InferenceReady);
  const resource = findCondition(conditions, T.ResourceReady);
  if (inference?.reason !== R.Unschedulable || resource?.status !== 'True') return undefined;
  const readyFor = now.getTime() - new Date(resource.lastTransitionTime).getTime();
  if (readyFor < UNSCHEDULABLE_BUDGET_MS) return undefined;
  const minutes = Math.floor(readyFor / 60_000);
  return {
    reason: R.Unschedulable,
    message: `${inference.message}; the nodes have been ready for ${minutes} min`,
  };
}

/** `ResourceReady`: the spec is valid and the node layer has what the plan needs. */
function resourceCondition(specMessage: string | undefined, nodes: NodeStatus | undefined): Verdict {
  const type = T.ResourceReady;
  if (specMessage !== undefined)
    return {
      type,
      status: 'False',
      reason: R.InvalidSpec,
      message: `the spec is invalid: ${specMessage}`,
    };
  if (nodes === undefined)
    return {
      type,
      status: 'Unknown',
      reason: R.ResourceNotReady,
      message: 'node status not observed yet',
    };
  if (nodes.ready) return { type, status: 'True', reason: R.ResourceReady, message: RESOURCE_READY_MESSAGE };
  return { type, status: 'False', reason: nodes.reason, message: nodes.message };
}

/** `InferenceReady` and `WorkspaceSucceeded` of an inference Workspace, and its `state`. */
function inferenceVerdict(
  workload: InferenceObservation,
  resourceReady: boolean,
  previousState: WorkspaceState | undefined,
): WorkloadVerdict {
  const ready =
    workload.found &&
    workload.replicas > 0 &&
    workload.readyReplicas >= workload.replicas &&
    workload.podFailure === undefined;
  const inference: Verdict = ready
    ? {
        type: T.InferenceReady,
        status: 'True',
        reason: R.InferenceReady,
        message: 'Inference has been deployed successfully',
      }
    : workload.podFailure !== undefined
      ? {
          type: T.InferenceReady,
          status: 'False',
          reason: workload.podFailure.reason,
          message: workload.podFailure.message,
        }
      : {
          type: T.InferenceReady,
          status: 'False',
          reason: R.InferencePending,
          message: inferencePendingMessage(workload),
        };
  const succeeded = ready && resourceReady;
  const summary: Verdict = succeeded
    ? WORKSPACE_SUCCEEDED
    : {
        type: T.WorkspaceSucceeded,
        status: 'False',
        reason: R.WorkspacePending,
        message: 'workspace is waiting for inference workload readiness',
      };
  const wasReady = previousState === 'Ready' || previousState === 'NotReady';
  return {
    conditions: [inference, summary],
    drop: T.JobStarted,
    succeeded,
    state: succeeded ? 'Ready' : wasReady ? 'NotReady' : 'Pending',
  };
}

/** `JobStarted` and `WorkspaceSucceeded` of a tuning Workspace, and its `state`. */
function tuningVerdict(workload: TuningObservation): WorkloadVerdict {
  if (workload.pushFailure !== undefined) return pushFailedVerdict(workload.pushFailure);
  const failed = workload.failedMessage !== undefined;
  const done = workload.succeeded > 0;
  const started = workload.found && (workload.active > 0 || workload.ready > 0 || done);
  const job: Verdict = failed
    ? {
        type: T.JobStarted,
        status: 'False',
        reason: R.TuningJobFailed,
        message: `tuning job failed: ${workload.failedMessage}`,
      }
    : started
      ? { type: T.JobStarted, status: 'True', reason: R.TuningJobStarted, message: 'Tuning job has started' }
      : workload.podFailure !== undefined
        ? {
            type: T.JobStarted,
            status: 'False',
            reason: workload.podFailure.reason,
            message: workload.podFailure.message,
          }
        : {
            type: T.JobStarted,
            status: 'False',
            reason: R.TuningJobPending,
            message: workload.found
              ? 'Tuning job is waiting for its pod'
              : 'Tuning job has not been created yet',
          };
  const succeeded = done && !failed;
  const summary: Verdict = succeeded
    ? WORKSPACE_SUCCEEDED
    : failed
      ? {
          type: T.WorkspaceSucceeded,
          status: 'False',
          reason: R.WorkspaceFailed,
          message: `tuning job failed: ${workload.failedMessage}`,
        }
      : {
          type: T.WorkspaceSucceeded,
          status: 'False',
          reason: R.WorkspacePending,
          message: started
            ? 'workspace is waiting for the tuning job to complete'
            : 'workspace is waiting for tuning job to start',
        };
  return {
    conditions: [job, summary],
    drop: T.InferenceReady,
    succeeded,
    state: succeeded ? 'Succeeded' : failed ? 'Failed' : started ? 'Running' : 'Pending',
    ...(failed
      ? { stall: { reason: R.WorkloadFailed, message: `tuning job failed: ${workload.failedMessage}` } }
      : {}),
  };
}

/** The adapter image could not be pushed: the Job failed for a reason the registry gave. */
function pushFailedVerdict(reason: string): WorkloadVerdict {
  const message = `pushing the adapter image failed: ${reason}`;
  return {
    conditions: [
      { type: T.JobStarted, status: 'False', reason: R.AdapterPushFailed, message },
      { type: T.WorkspaceSucceeded, status: 'False', reason: R.WorkspaceFailed, message },
    ],
    drop: T.InferenceReady,
    succeeded: false,
    state: 'Failed',
    stall: { reason: R.AdapterPushFailed, message },
  };
}

/** kstatus `Ready`, `Reconciling` and `Stalled`, from the verdicts above. */
function kstatusConditions(
  succeeded: boolean,
  stall: Stall | undefined,
  blocking: Condition | undefined,
  reconcileError: string | undefined,
): Verdict[] {
  const three = (
    ready: [ConditionStatus, string, string],
    reconciling: [ConditionStatus, string, string],
    stalled: [ConditionStatus, string, string],
  ): Verdict[] => [
    { type: T.Ready, status: ready[0], reason: ready[1], message: ready[2] },
    { type: T.Reconciling, status: reconciling[0], reason: reconciling[1], message: reconciling[2] },
    { type: T.Stalled, status: stalled[0], reason: stalled[1], message: stalled[2] },
  ];
  if (succeeded && stall === undefined) {
    const done = 'workspace succeeds';
    return three(['True', R.Succeeded, done], ['False', R.Succeeded, done], ['False', R.Succeeded, done]);
  }
  if (stall !== undefined) {
    return three(
      ['False', stall.reason, stall.message],
      ['False', stall.reason, stall.message],
      ['True', stall.reason, stall.message],
    );
  }
  const retrying = reconcileError !== undefined;
  const reason = retrying ? R.ProgressingWithRetry : R.Progressing;
  const message = retrying
    ? `retrying after error: ${reconcileError}`
    : blocking === undefined
      ? 'reconciling'
      : `${blocking.type}: ${blocking.message}`;
  return three(
    ['False', blocking?.reason ?? reason, message],
    ['True', reason, message],
    ['False', reason, message],
  );
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
