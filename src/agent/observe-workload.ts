/**
 * The Workspace's workload as the informer caches show it → the observation `computeStatus` takes.
 * Inference: the Deployment (one node) or StatefulSet (several) labelled `kaito.sh/workspace`; tuning:
 * the Job. Pods are classified for the failure reason. Pure.
 *
 * Only what kaito-gitops rendered counts: workloads labelled `app.kubernetes.io/managed-by: kaito-gitops`,
 * and pods carrying it from their template. Kaito labels its pods (and its Jobs) `kaito.sh/workspace` too,
 * so while a Workspace moves from Kaito its old pods serve beside ours: their crashes, evictions and pusher
 * results are Kaito's, not this Workspace's rendered workload's.
 */
import type { KubernetesObject, V1Deployment, V1Job, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../api/index.ts';
import { classifyPods } from './pod-failure.ts';
import type { InferenceObservation, TuningObservation } from './workspace-status.ts';

/** The tuning Job's output container (src/synth/tuning-job.ts). */
export const PUSHER_CONTAINER = 'pusher';

export interface WorkloadObjects {
  deployments: readonly V1Deployment[];
  statefulSets: readonly V1StatefulSet[];
  jobs: readonly V1Job[];
  pods: readonly V1Pod[];
}

/** Rendered by kaito-gitops: the object, or the pod template it was made from, carries our label. */
export function renderedByKaitoGitops(object: KubernetesObject): boolean {
  return object.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
}

/** The workloads and pods kaito-gitops rendered, out of everything labelled for the Workspace. */
export function renderedWorkloads(objects: WorkloadObjects): WorkloadObjects {
  return {
    deployments: objects.deployments.filter(renderedByKaitoGitops),
    statefulSets: objects.statefulSets.filter(renderedByKaitoGitops),
    jobs: objects.jobs.filter(renderedByKaitoGitops),
    pods: objects.pods.filter(renderedByKaitoGitops),
  };
}

export function observeInference(labelled: WorkloadObjects): InferenceObservation {
  const objects = renderedWorkloads(labelled);
  const workload = objects.statefulSets[0] ?? objects.deployments[0];
  if (workload === undefined) return { kind: 'inference', found: false, replicas: 0, readyReplicas: 0 };
  const replicas = workload.spec?.replicas ?? 1;
  const podFailure = classifyPods(objects.pods, replicas);
  return {
    kind: 'inference',
    found: true,
    replicas,
    readyReplicas: workload.status?.readyReplicas ?? 0,
    ...(podFailure !== undefined ? { podFailure } : {}),
  };
}

/**
 * The tuning pod's `pusher` (the kaito-gitops image's `adapter push`) leaves its result as the
 * termination message: `image@sha256:...` after exit 0, the registry's reason otherwise.
 */
export function pushResult(
  pods: readonly V1Pod[],
): { outputImage: string } | { pushFailure: string } | undefined {
  for (const pod of pods) {
    const terminated = pod.status?.containerStatuses?.find((c) => c.name === PUSHER_CONTAINER)?.state
      ?.terminated;
    if (terminated === undefined) continue;
    const message = (terminated.message ?? '').trim();
    if (terminated.exitCode === 0 && message !== '') return { outputImage: message };
    if (terminated.exitCode !== 0) {
      return {
        pushFailure:
          message !== ''
            ? message
            : `the pusher exited ${terminated.exitCode} (${terminated.reason ?? 'Error'})`,
      };
    }
  }
  return undefined;
}

export function observeTuning(labelled: WorkloadObjects): TuningObservation {
  const objects = renderedWorkloads(labelled);
  const job = objects.jobs[0];
  const podFailure = classifyPods(objects.pods, job?.spec?.parallelism ?? 1);
  const pushed = pushResult(objects.pods);
  const failed = job?.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  return {
    kind: 'tuning',
    found: job !== undefined,
    active: job?.status?.active ?? 0,
    ready: job?.status?.ready ?? 0,
    succeeded: job?.status?.succeeded ?? 0,
    ...(failed !== undefined ? { failedMessage: failed.message ?? failed.reason ?? 'Failed' } : {}),
    ...(podFailure !== undefined ? { podFailure } : {}),
    ...pushed,
  };
}
