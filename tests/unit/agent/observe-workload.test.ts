/**
 * What the agent observes of a Workspace's workload: only what kaito-gitops rendered. While a Workspace
 * moves from Kaito, Kaito's pods (and Jobs) for it carry `kaito.sh/workspace` too.
 */
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  observeInference,
  observeTuning,
  renderedByKaitoGitops,
  type WorkloadObjects,
} from '../../../src/agent/observe-workload.ts';

const OURS = { 'kaito.sh/workspace': 'phi-3', 'app.kubernetes.io/managed-by': 'kaito-gitops' };
const KAITOS = { 'kaito.sh/workspace': 'phi-3' };
const none: WorkloadObjects = { deployments: [], statefulSets: [], jobs: [], pods: [] };

function pod(name: string, labels: Record<string, string>, status: V1Pod['status']): V1Pod {
  return { metadata: { name, namespace: 'default', labels }, status };
}

const oomKilled = (name: string, labels: Record<string, string>) =>
  pod(name, labels, {
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [
      {
        name: 'phi-3',
        image: 'kaito-base',
        imageID: '',
        ready: false,
        restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
      },
    ],
  });

const pushed = (name: string, labels: Record<string, string>, message: string) =>
  pod(name, labels, {
    phase: 'Succeeded',
    containerStatuses: [
      {
        name: 'pusher',
        image: 'pusher',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode: 0, message } },
      },
    ],
  });

describe('renderedByKaitoGitops', () => {
  it.each<[string, KubernetesObject, boolean]>([
    ['our pod (labels from our pod template)', { metadata: { labels: OURS } }, true],
    ['Kaito’s pod for the same Workspace', { metadata: { labels: KAITOS } }, false],
    [
      'a pod another tool manages',
      { metadata: { labels: { ...KAITOS, 'app.kubernetes.io/managed-by': 'Helm' } } },
      false,
    ],
    ['no labels', { metadata: {} }, false],
  ])('%s', (_case, object, expected) => {
    expect(renderedByKaitoGitops(object)).toBe(expected);
  });
});

describe('observing a Workspace moved from Kaito', () => {
  const deployment = {
    metadata: { name: 'phi-3', namespace: 'default', labels: OURS },
    spec: { replicas: 1, selector: {}, template: {} },
    status: { readyReplicas: 0 },
  };

  it('does not take Kaito’s crash-looping pod for our workload’s failure', () => {
    const objects = { ...none, deployments: [deployment], pods: [oomKilled('phi-3-0', KAITOS)] };
    expect(observeInference(objects)).toEqual({
      kind: 'inference',
      found: true,
      replicas: 1,
      readyReplicas: 0,
    });
    const ours = { ...objects, pods: [...objects.pods, oomKilled('phi-3-5d8c9-a1b2c', OURS)] };
    expect(observeInference(ours).podFailure?.message).toContain('pod phi-3-5d8c9-a1b2c');
  });

  it('observes our Deployment, not a StatefulSet Kaito labelled for the Workspace', () => {
    const kaitoStatefulSet = {
      metadata: { name: 'phi-3', namespace: 'default', labels: KAITOS },
      spec: { replicas: 2, selector: {}, template: {}, serviceName: 'phi-3-headless' },
      status: { replicas: 2, readyReplicas: 2 },
    };
    expect(
      observeInference({ ...none, deployments: [deployment], statefulSets: [kaitoStatefulSet] }),
    ).toMatchObject({ found: true, replicas: 1, readyReplicas: 0 });
  });

  it('reads the pushed adapter image from our pusher only, never Kaito’s', () => {
    const kaitoJob = {
      metadata: { name: 'tune', namespace: 'default', labels: KAITOS },
      spec: { template: {} },
    };
    const kaitoPod = pushed('tune-kaito', KAITOS, 'kaito.example/adapter@sha256:1111');
    expect(observeTuning({ ...none, jobs: [kaitoJob], pods: [kaitoPod] })).toMatchObject({ found: false });
    expect(observeTuning({ ...none, jobs: [kaitoJob], pods: [kaitoPod] })).not.toHaveProperty('outputImage');

    const ourJob = { ...kaitoJob, metadata: { ...kaitoJob.metadata, labels: OURS } };
    const ourPod = pushed('tune-ours', OURS, 'registry.example/adapter@sha256:2222');
    expect(observeTuning({ ...none, jobs: [ourJob], pods: [kaitoPod, ourPod] })).toMatchObject({
      found: true,
      outputImage: 'registry.example/adapter@sha256:2222',
    });
  });
});
