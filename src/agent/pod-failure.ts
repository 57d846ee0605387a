/**
 * "Why is this pod not ready": a pod's status → one of Kaito's InferenceReady/JobStarted failure reasons
 * (v0.12 `pkg/workspace/inference/...` diagnostics) with a message a person can act on. Pure. Only pods
 * that are not Ready are looked at, so a container that was OOMKilled once and has since recovered does
 * not mark a healthy workload as failed; one that is OOMKilled now does (kaito#931, kaito#1493).
 *
 * A pod that failed for good (evicted, rejected by the kubelet) never runs again: its controller replaces
 * it, and the kubelet's leftover stays until the pod garbage collector's threshold (12,500 terminated pods
 * by default), which can be for ever. Its failure is the workload's only until the workload has its Ready
 * pods again.
 */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import {
  CONDITION_REASONS,
  SETTINGS_FILE,
  WORKSPACE_LABEL,
  WORKSPACE_NAMESPACE_LABEL,
  compareStrings,
} from '../api/index.ts';

export interface PodFailure {
  reason: string;
  message: string;
}

const IMAGE_PULL = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull']);
const START_ERRORS = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The pod failed for good (phase `Failed`: evicted, rejected by the kubelet, or its containers failed). */
function hasFailed(pod: V1Pod): boolean {
  return pod.status?.phase === 'Failed';
}

function isDeleting(pod: V1Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
}

/** The most specific reason this pod is failing, or undefined when it is ready, merely starting or done. */
export function classifyPod(pod: V1Pod): PodFailure | undefined {
  const name = pod.metadata?.name ?? '';
  if (isDeleting(pod)) return undefined;
  const status = pod.status;
  if (status?.reason === 'Evicted') {
    return failure(CONDITION_REASONS.PodEvicted, `pod ${name} was evicted`, status.message);
  }
  if (isPodReady(pod)) return undefined;
  const scheduled = status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return failure(CONDITION_REASONS.Unschedulable, `pod ${name} cannot be scheduled`, scheduled.message);
  }
  const containers = [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])];
  const verdicts = containers
    .map((c) => classifyContainer(name, c))
    .filter((v): v is Ranked => v !== undefined);
  verdicts.sort((a, b) => a.rank - b.rank);
  const first = verdicts[0];
  if (first !== undefined) return { reason: first.reason, message: first.message };
  return hasFailed(pod) ? failedPod(name, pod) : undefined;
}

/**
 * The workload's failure: pods still running first, in name order (theirs is the current one), then
 * pods that failed for good, newest first, but only while fewer than `wanted` running pods are Ready
 * (once they are, the failed pods were replaced). Names break ties, so the message is stable.
 */
export function classifyPods(pods: readonly V1Pod[], wanted: number): PodFailure | undefined {
  const sorted = [...pods].sort((a, b) => compareStrings(a.metadata?.name ?? '', b.metadata?.name ?? ''));
  const running = sorted.filter((pod) => !hasFailed(pod));
  const ready = running.filter((pod) => !isDeleting(pod) && isPodReady(pod)).length;
  const failed = ready >= wanted ? [] : sorted.filter(hasFailed).sort((a, b) => created(b) - created(a));
  for (const pod of [...running, ...failed]) {
    const verdict = classifyPod(pod);
    if (verdict !== undefined) return verdict;
  }
  return undefined;
}

interface Ranked extends PodFailure {
  rank: number;
}

function classifyContainer(pod: string, c: V1ContainerStatus): Ranked | undefined {
  const where = `pod ${pod} container ${c.name}`;
  const waiting = c.state?.waiting;
  const oomNow = c.state?.terminated?.reason === 'OOMKilled';
  const oomBefore = c.lastState?.terminated?.reason === 'OOMKilled';
  if (oomNow || (oomBefore && !c.ready)) {
    return {
      rank: 0,
      ...failure(CONDITION_REASONS.ContainerOOMKilled, `${where} was OOMKilled (out of memory)`),
    };
  }
  if (waiting?.reason === 'CrashLoopBackOff') {
    const exit = c.lastState?.terminated;
    const detail =
      exit === undefined
        ? waiting.message
        : `last exit code ${exit.exitCode}${exit.reason ? ` (${exit.reason})` : ''}`;
    return {
      rank: 1,
      ...failure(CONDITION_REASONS.ContainerCrashLoopBackOff, `${where} is crash-looping`, detail),
    };
  }
  if (waiting?.reason !== undefined && IMAGE_PULL.has(waiting.reason)) {
    return {
      rank: 2,
      ...failure(CONDITION_REASONS.ImagePullError, `${where} cannot pull ${c.image}`, waiting.message),
    };
  }
  if (waiting?.reason !== undefined && START_ERRORS.has(waiting.reason)) {
    return {
      rank: 3,
      ...failure(CONDITION_REASONS.ContainerStartError, `${where} cannot start`, waiting.message),
    };
  }
  return undefined;
}

function created(pod: V1Pod): number {
  const at = pod.metadata?.creationTimestamp;
  return at === undefined ? 0 : new Date(at).getTime();
}

/** A failed pod the checks above do not explain: the kubelet's reason, or its containers' exit codes. */
function failedPod(name: string, pod: V1Pod): PodFailure {
  const status = pod.status;
  if (status?.reason !== undefined && status.reason !== '') {
    return failure(CONDITION_REASONS.PodFailed, `pod ${name} failed (${status.reason})`, status.message);
  }
  const exits = (status?.containerStatuses ?? []).flatMap((c) => {
    const exit = c.state?.terminated;
    return exit === undefined || exit.exitCode === 0
      ? []
      : [`container ${c.name} exited ${exit.exitCode}${exit.reason ? ` (${exit.reason})` : ''}`];
  });
  return failure(CONDITION_REASONS.PodFailed, `pod ${name} failed`, exits.join(', ') || status?.message);
}

/**
 * On bring-your-own nodes, what to change when pods cannot be scheduled for want of node labels: a tree
 * rendered without `nodes: byo` in the repository settings pins pods to the per-Workspace labels that
 * only the agent's provisioners put on nodes (the scheduler says "didn't match Pod's node
 * affinity/selector"). Any other failure is returned as it is.
 */
export function withBringYourOwnNodesHint(failure: PodFailure): PodFailure {
  if (failure.reason !== CONDITION_REASONS.Unschedulable || !/node affinity\/selector/.test(failure.message))
    return failure;
  return {
    reason: failure.reason,
    message:
      `${failure.message} (with --provisioner byo, nodes must carry the Workspace's labelSelector labels; ` +
      `a tree rendered without "nodes: byo" in ${SETTINGS_FILE} beside the specs also requires ` +
      `${WORKSPACE_LABEL} and ${WORKSPACE_NAMESPACE_LABEL}, which only provisioned nodes carry)`,
  };
}

function failure(reason: string, summary: string, detail?: string): PodFailure {
  return { reason, message: detail !== undefined && detail !== '' ? `${summary}: ${detail}` : summary };
}
