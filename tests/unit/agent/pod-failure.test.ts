import { describe, expect, it } from 'vitest';
import { classifyPod, classifyPods } from '../../../src/agent/pod-failure.ts';
import { pod } from './fixtures.ts';

const notReady = { type: 'Ready', status: 'False' };
const container = (extra: object) => ({
  name: 'model',
  image: 'img:1',
  ready: false,
  restartCount: 1,
  ...extra,
});

describe('classifyPod', () => {
  it.each([
    [
      'ImagePullBackOff',
      {
        conditions: [notReady],
        containerStatuses: [
          container({ state: { waiting: { reason: 'ImagePullBackOff', message: 'not found' } } }),
        ],
      },
      'ImagePullError',
      'pod p container model cannot pull img:1: not found',
    ],
    [
      'ErrImagePull',
      {
        conditions: [notReady],
        containerStatuses: [container({ state: { waiting: { reason: 'ErrImagePull' } } })],
      },
      'ImagePullError',
      'pod p container model cannot pull img:1',
    ],
    [
      'CrashLoopBackOff',
      {
        conditions: [notReady],
        containerStatuses: [
          container({
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error' } },
          }),
        ],
      },
      'ContainerCrashLoopBackOff',
      'pod p container model is crash-looping: last exit code 1 (Error)',
    ],
    [
      'crash loop after OOM',
      {
        conditions: [notReady],
        containerStatuses: [
          container({
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
          }),
        ],
      },
      'ContainerOOMKilled',
      'pod p container model was OOMKilled (out of memory)',
    ],
    [
      'OOMKilled now',
      {
        conditions: [notReady],
        containerStatuses: [container({ state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } })],
      },
      'ContainerOOMKilled',
      'pod p container model was OOMKilled (out of memory)',
    ],
    [
      'Unschedulable',
      {
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available',
          },
        ],
      },
      'Unschedulable',
      'pod p cannot be scheduled: 0/3 nodes are available',
    ],
    [
      'evicted',
      { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' },
      'PodEvicted',
      'pod p was evicted: The node was low on resource: memory.',
    ],
    [
      'config error',
      {
        conditions: [notReady],
        containerStatuses: [
          container({
            state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "hf" not found' } },
          }),
        ],
      },
      'ContainerStartError',
      'pod p container model cannot start: secret "hf" not found',
    ],
  ])('%s → %s', (_name, status, reason, message) => {
    expect(classifyPod(pod('p', status))).toEqual({ reason, message });
  });

  it.each([
    [
      'a ready pod that was OOMKilled once',
      {
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          container({ ready: true, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }),
        ],
      },
    ],
    [
      'a pod still creating its container',
      {
        conditions: [notReady],
        containerStatuses: [container({ state: { waiting: { reason: 'ContainerCreating' } } })],
      },
    ],
    ['a pod without status', {}],
  ])('%s is not a failure', (_name, status) => {
    expect(classifyPod(pod('p', status))).toBeUndefined();
  });

  it.each([
    [
      'rejected by the kubelet',
      { phase: 'Failed', reason: 'OutOfnvidia.com/gpu', message: 'Pod was rejected: no GPU' },
      'pod p failed (OutOfnvidia.com/gpu): Pod was rejected: no GPU',
    ],
    [
      'its containers failed',
      {
        phase: 'Failed',
        containerStatuses: [container({ state: { terminated: { exitCode: 2, reason: 'Error' } } })],
      },
      'pod p failed: container model exited 2 (Error)',
    ],
    ['without a word', { phase: 'Failed' }, 'pod p failed'],
  ])('a pod that failed %s → PodFailed', (_name, status, message) => {
    expect(classifyPod(pod('p', status))).toEqual({ reason: 'PodFailed', message });
  });
});

describe('classifyPods', () => {
  const evicted = { phase: 'Failed', reason: 'Evicted' };
  const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  const starting = { phase: 'Pending', conditions: [notReady] };
  const crashing = {
    phase: 'Running',
    conditions: [notReady],
    containerStatuses: [container({ state: { waiting: { reason: 'CrashLoopBackOff' } } })],
  };

  it.each([
    ['failed pods alone: the first by name', [pod('b', evicted), pod('a', evicted)], 1, 'pod a was evicted'],
    ['a replacement still starting', [pod('a', evicted), pod('b', starting)], 1, 'pod a was evicted'],
    [
      'a running pod failing comes first',
      [pod('a', evicted), pod('b', crashing)],
      1,
      'pod b container model is crash-looping',
    ],
    ['replaced by a Ready pod', [pod('a', evicted), pod('b', ready)], 1, undefined],
    [
      'failed pods alone: the newest first',
      [
        { ...pod('a', evicted), metadata: { name: 'a', creationTimestamp: new Date(1000) } },
        {
          ...pod('b', { phase: 'Failed', reason: 'NodeShutdown' }),
          metadata: { name: 'b', creationTimestamp: new Date(2000) },
        },
      ],
      1,
      'pod b failed (NodeShutdown)',
    ],
    ['one of two replaced', [pod('a', evicted), pod('b', ready), pod('c', evicted)], 2, 'pod a was evicted'],
    [
      'a Ready pod being deleted replaces nothing',
      [pod('a', evicted), { ...pod('b', ready), metadata: { name: 'b', deletionTimestamp: new Date(0) } }],
      1,
      'pod a was evicted',
    ],
    [
      'Ready, and a running pod failing',
      [pod('a', ready), pod('b', crashing)],
      1,
      'pod b container model is crash-looping',
    ],
  ])('%s', (_name, pods, wanted, message) => {
    expect(classifyPods(pods, wanted)?.message).toBe(message);
  });
});
