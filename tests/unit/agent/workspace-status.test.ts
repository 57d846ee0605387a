import { describe, expect, it } from 'vitest';
import { findCondition, summarize } from '../../../src/api/index.ts';
import { statusChanged } from '../../../src/agent/status-changed.ts';
import { computeStatus, deletingStatus } from '../../../src/agent/workspace-status.ts';
import type { InferenceObservation, Observed, WorkspaceStatus } from '../../../src/agent/workspace-status.ts';
import type { NodeStatus } from '../../../src/agent/node-provisioner.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:10:00Z');
const nodesReady: NodeStatus = {
  readyNodes: ['n1'],
  ready: true,
  reason: 'NodesReady',
  message: 'ok',
  permanent: false,
};
const nodesPending: NodeStatus = {
  readyNodes: [],
  ready: false,
  reason: 'NodeClaimNotReady',
  message: 'Ready NodeClaims are not enough (0/1)',
  permanent: false,
};
const quota: NodeStatus = {
  ...nodesPending,
  reason: 'InsufficientCapacity',
  message: 'quota exceeded for Standard_NC6s_v3',
  permanent: true,
};
const serving: InferenceObservation = { kind: 'inference', found: true, replicas: 1, readyReplicas: 1 };
const starting: InferenceObservation = { kind: 'inference', found: true, replicas: 1, readyReplicas: 0 };
const oom: InferenceObservation = {
  ...serving,
  podFailure: {
    reason: 'ContainerOOMKilled',
    message: 'pod p container model was OOMKilled (out of memory)',
  },
};

const observe = (partial: Partial<Observed>): Observed => ({
  workload: starting,
  nodes: nodesPending,
  targetNodeCount: 1,
  ...partial,
});
const status = (s: WorkspaceStatus, type: string) => {
  const c = findCondition(s.conditions, type);
  return c === undefined ? undefined : `${c.status}/${c.reason}`;
};
const kstatus = (s: WorkspaceStatus) =>
  summarize(s.conditions, { generation: 3, observedGeneration: s.observedGeneration }).status;

describe('computeStatus', () => {
  it.each([
    [
      'nodes pending',
      observe({}),
      'False/NodeClaimNotReady',
      'False/WorkspaceInferenceStatusPending',
      'False/NodeClaimNotReady',
      'InProgress',
      'Pending',
    ],
    [
      'nodes ready, workload starting',
      observe({ nodes: nodesReady }),
      'True/workspaceResourceStatusSuccess',
      'False/WorkspaceInferenceStatusPending',
      'False/WorkspaceInferenceStatusPending',
      'InProgress',
      'Pending',
    ],
    [
      'all ready',
      observe({ nodes: nodesReady, workload: serving }),
      'True/workspaceResourceStatusSuccess',
      'True/WorkspaceInferenceStatusSuccess',
      'True/Succeeded',
      'Current',
      'Ready',
    ],
    [
      'OOMKilled while replicas say ready',
      observe({ nodes: nodesReady, workload: oom }),
      'True/workspaceResourceStatusSuccess',
      'False/ContainerOOMKilled',
      'False/ContainerOOMKilled',
      'InProgress',
      'Pending',
    ],
    [
      'quota error',
      observe({ nodes: quota }),
      'False/InsufficientCapacity',
      'False/WorkspaceInferenceStatusPending',
      'False/ProvisioningFailed',
      'Failed',
      'Pending',
    ],
    [
      'invalid spec',
      observe({
        specProblems: [{ path: 'inference.preset.name', message: 'unknown preset' }],
        nodes: undefined,
      }),
      'False/InvalidSpec',
      'False/WorkspaceInferenceStatusPending',
      'False/InvalidSpec',
      'Failed',
      'Pending',
    ],
  ])('%s', (_name, observed, resource, inference, ready, ks, state) => {
    const s = computeStatus(observed, 3, t0);
    expect([
      status(s, 'ResourceReady'),
      status(s, 'InferenceReady'),
      status(s, 'Ready'),
      kstatus(s),
      s.state,
    ]).toEqual([resource, inference, ready, ks, state]);
    expect(s.observedGeneration).toBe(3);
    expect(s.conditions.every((c) => c.observedGeneration === 3)).toBe(true);
    expect(new Set(s.conditions.map((c) => c.type)).size).toBe(s.conditions.length);
  });

  it('flips InferenceReady to False when a Ready workload is OOMKilled later (kaito#931/#1493)', () => {
    const ready = computeStatus(observe({ nodes: nodesReady, workload: serving }), 3, t0);
    const broken = computeStatus(observe({ nodes: nodesReady, workload: oom, previous: ready }), 3, t1);
    expect(status(broken, 'InferenceReady')).toBe('False/ContainerOOMKilled');
    expect(findCondition(broken.conditions, 'InferenceReady')?.message).toContain('OOMKilled');
    expect(status(broken, 'Ready')).toBe('False/ContainerOOMKilled');
    expect(broken.state).toBe('NotReady');
    expect(findCondition(broken.conditions, 'InferenceReady')?.lastTransitionTime).toBe(
      '2026-01-01T00:10:00Z',
    );
    expect(findCondition(broken.conditions, 'ResourceReady')?.lastTransitionTime).toBe(
      '2026-01-01T00:00:00Z',
    );
  });

  it('stalls pods that stay Unschedulable 10 minutes after their nodes are ready, not before', () => {
    const unschedulable: InferenceObservation = {
      ...starting,
      podFailure: { reason: 'Unschedulable', message: 'pod p cannot be scheduled: 0/1 nodes are available' },
    };
    const waiting = computeStatus(observe({ nodes: nodesPending, workload: unschedulable }), 3, t0);
    expect(status(waiting, 'Stalled')).toBe('False/Progressing');
    const nodesUp = computeStatus(
      observe({ nodes: nodesReady, workload: unschedulable, previous: waiting }),
      3,
      t0,
    );
    expect(status(nodesUp, 'Stalled')).toBe('False/Progressing');
    const nineMinutes = new Date(t0.getTime() + 9 * 60_000);
    const soon = computeStatus(
      observe({ nodes: nodesReady, workload: unschedulable, previous: nodesUp }),
      3,
      nineMinutes,
    );
    expect(kstatus(soon)).toBe('InProgress');
    const late = computeStatus(
      observe({ nodes: nodesReady, workload: unschedulable, previous: soon }),
      3,
      t1,
    );
    expect(status(late, 'Stalled')).toBe('True/Unschedulable');
    expect(findCondition(late.conditions, 'Stalled')?.message).toBe(
      'pod p cannot be scheduled: 0/1 nodes are available; the nodes have been ready for 10 min',
    );
    expect(kstatus(late)).toBe('Failed');
  });

  it('is a fixed point: recomputing from the same observation changes nothing', () => {
    const first = computeStatus(observe({ nodes: nodesReady, workload: serving }), 3, t0);
    const again = computeStatus(observe({ nodes: nodesReady, workload: serving, previous: first }), 3, t1);
    expect(statusChanged(first, again)).toBe(false);
    expect(statusChanged(JSON.parse(JSON.stringify(first)), again)).toBe(false);
  });

  it('ignores status fields the agent does not write', () => {
    const first = computeStatus(observe({ nodes: nodesReady, workload: serving }), 3, t0);
    expect(statusChanged({ ...first, performance: { metrics: {} } }, first)).toBe(false);
    expect(statusChanged({ ...first, state: 'Pending' }, first)).toBe(true);
  });

  it('a new generation is a change', () => {
    const first = computeStatus(observe({ nodes: nodesReady, workload: serving }), 3, t0);
    expect(
      statusChanged(
        first,
        computeStatus(observe({ nodes: nodesReady, workload: serving, previous: first }), 4, t1),
      ),
    ).toBe(true);
    expect(statusChanged(undefined, first)).toBe(true);
  });

  it('says it is retrying after a transient error', () => {
    const s = computeStatus(observe({ reconcileError: 'the API server answered 503' }), 3, t0);
    expect(status(s, 'Reconciling')).toBe('True/ProgressingWithRetry');
    expect(findCondition(s.conditions, 'Reconciling')?.message).toBe(
      'retrying after error: the API server answered 503',
    );
  });

  it.each([
    [
      'not created',
      { found: false, active: 0, ready: 0, succeeded: 0 },
      'False/WorkspaceTuningJobStatusPending',
      'False/workspacePending',
      'Pending',
      'InProgress',
    ],
    [
      'running',
      { found: true, active: 1, ready: 1, succeeded: 0 },
      'True/WorkspaceTuningJobStatusStarted',
      'False/workspacePending',
      'Running',
      'InProgress',
    ],
    [
      'succeeded',
      { found: true, active: 0, ready: 0, succeeded: 1 },
      'True/WorkspaceTuningJobStatusStarted',
      'True/workspaceSucceeded',
      'Succeeded',
      'Current',
    ],
    [
      'failed',
      { found: true, active: 0, ready: 0, succeeded: 0, failedMessage: 'BackoffLimitExceeded' },
      'False/WorkspaceTuningJobStatusFailed',
      'False/workspaceFailed',
      'Failed',
      'Failed',
    ],
  ])('tuning job %s', (_name, job, started, succeeded, state, ks) => {
    const s = computeStatus(observe({ nodes: nodesReady, workload: { kind: 'tuning', ...job } }), 3, t0);
    expect([status(s, 'JobStarted'), status(s, 'WorkspaceSucceeded'), s.state, kstatus(s)]).toEqual([
      started,
      succeeded,
      state,
      ks,
    ]);
    expect(findCondition(s.conditions, 'InferenceReady')).toBeUndefined();
  });
});

describe('deletingStatus', () => {
  it('says what deletion waits for', () => {
    const s = deletingStatus(undefined, 3, 'NodeClaims ws0123abcd to be deleted', t0);
    expect(findCondition(s.conditions, 'WorkspaceDeleting')).toMatchObject({
      status: 'True',
      reason: 'workspaceDeleted',
      message: 'workspace is being deleted; waiting for NodeClaims ws0123abcd to be deleted',
    });
  });
});
