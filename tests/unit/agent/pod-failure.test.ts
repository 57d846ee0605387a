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

  it('takes the first failing pod by name', () => {
    const evicted = { phase: 'Failed', reason: 'Evicted' };
    expect(classifyPods([pod('b', evicted), pod('a', evicted)])?.message).toBe('pod a was evicted');
  });
});
