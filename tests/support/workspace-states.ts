/**
 * Workspace objects as a cluster holds them in the states that matter to a GitOps tool, with the status
 * written by the kaito-gitops agent (kstatus conditions, `status.observedGeneration`) or by Kaito v0.12's
 * own controller (its conditions, each with `observedGeneration`, `state`, no top-level
 * `observedGeneration`), and what Argo CD and Flux must conclude for each.
 */

interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message?: string;
  /** @default the object's generation */
  observedGeneration?: number;
}

export interface WorkspaceState {
  name: string;
  object: Record<string, unknown>;
  argo: 'Healthy' | 'Progressing' | 'Degraded';
  /** Flux's kstatus verdict; Unknown (evaluation error) is waited on like InProgress. */
  flux: 'Current' | 'InProgress' | 'Failed' | 'Unknown';
}

const TIME = '2026-11-20T10:00:00Z';

function workspace(generation: number, status: Record<string, unknown> | undefined): Record<string, unknown> {
  return {
    apiVersion: 'kaito.sh/v1beta1',
    kind: 'Workspace',
    metadata: { name: 'phi-3', namespace: 'default', generation, uid: 'd1e2', resourceVersion: '42' },
    resource: { instanceType: 'Standard_NC24ads_A100_v4', labelSelector: { matchLabels: { apps: 'phi-3' } } },
    inference: { preset: { name: 'phi-3-mini-4k-instruct' } },
    ...(status !== undefined ? { status } : {}),
  };
}

function conditions(generation: number, list: ConditionInput[]): Record<string, unknown>[] {
  return list.map((c) => ({
    type: c.type,
    status: c.status,
    reason: c.reason,
    message: c.message ?? '',
    observedGeneration: c.observedGeneration ?? generation,
    lastTransitionTime: TIME,
  }));
}

/** Status as the kaito-gitops agent writes it. */
function agent(
  generation: number,
  list: ConditionInput[],
  extra: { observedGeneration?: number; state?: string } = {},
): Record<string, unknown> {
  return workspace(generation, {
    conditions: conditions(generation, list),
    observedGeneration: extra.observedGeneration ?? generation,
    state: extra.state ?? 'Pending',
    targetNodeCount: 1,
    workerNodes: [],
  });
}

/** Status as Kaito v0.12's controller writes it: no kstatus conditions, no top-level observedGeneration. */
function kaito(generation: number, list: ConditionInput[], state: string): Record<string, unknown> {
  return workspace(generation, {
    conditions: conditions(generation, list),
    state,
    targetNodeCount: 1,
    workerNodes: state === 'Pending' ? [] : ['aks-ws1a2b3c4d5-12345678-vmss000000'],
  });
}

const kstatus = (
  ready: 'True' | 'False',
  reason: string,
  message: string,
  stalled = false,
): ConditionInput[] => [
  { type: 'Ready', status: ready, reason, message },
  { type: 'Reconciling', status: ready === 'True' || stalled ? 'False' : 'True', reason, message },
  { type: 'Stalled', status: stalled ? 'True' : 'False', reason, message },
];

const resourceReady: ConditionInput = {
  type: 'ResourceReady',
  status: 'True',
  reason: 'workspaceResourceStatusSuccess',
  message: 'workspace resource is ready',
};
const inferenceReady: ConditionInput = {
  type: 'InferenceReady',
  status: 'True',
  reason: 'WorkspaceInferenceStatusSuccess',
  message: 'Inference has been deployed successfully',
};
const succeeded: ConditionInput = {
  type: 'WorkspaceSucceeded',
  status: 'True',
  reason: 'workspaceSucceeded',
  message: 'workspace succeeds',
};
const pending: ConditionInput = {
  type: 'WorkspaceSucceeded',
  status: 'False',
  reason: 'workspacePending',
  message: 'workspace is waiting for inference workload readiness',
};
const inferenceFailure = (reason: string, message: string): ConditionInput => ({
  type: 'InferenceReady',
  status: 'False',
  reason,
  message,
});

const crashLoop = inferenceFailure(
  'ContainerCrashLoopBackOff',
  'pod phi-3-0 container phi-3 is crash-looping: last exit code 1 (Error)',
);
const oom = inferenceFailure(
  'ContainerOOMKilled',
  'pod phi-3-0 container phi-3 was OOMKilled (out of memory)',
);
const imagePull = inferenceFailure(
  'ImagePullError',
  'pod phi-3-0 container phi-3 cannot pull example.io/x:1',
);
const unschedulable = inferenceFailure(
  'Unschedulable',
  'pod phi-3-0 cannot be scheduled: 0/3 nodes are available',
);

export const WORKSPACE_STATES: readonly WorkspaceState[] = [
  // kaito-gitops agent
  {
    name: 'agent: just applied (CRD default observedGeneration -1)',
    object: workspace(1, { observedGeneration: -1 }),
    argo: 'Progressing',
    flux: 'InProgress',
  },
  {
    name: 'agent: nodes on their way',
    object: agent(1, [
      {
        type: 'ResourceReady',
        status: 'False',
        reason: 'NodeClaimNotReady',
        message: 'Ready NodeClaims are not enough',
      },
      ...kstatus('False', 'NodeClaimNotReady', 'ResourceReady: Ready NodeClaims are not enough'),
    ]),
    argo: 'Progressing',
    flux: 'InProgress',
  },
  {
    name: 'agent: Ready',
    object: agent(
      2,
      [resourceReady, inferenceReady, succeeded, ...kstatus('True', 'Succeeded', 'workspace succeeds')],
      {
        state: 'Ready',
      },
    ),
    argo: 'Healthy',
    flux: 'Current',
  },
  {
    name: 'agent: Ready, then the spec was edited (observedGeneration behind)',
    object: agent(
      3,
      [resourceReady, inferenceReady, succeeded, ...kstatus('True', 'Succeeded', 'workspace succeeds')].map(
        (c) => ({ ...c, observedGeneration: 2 }),
      ),
      { observedGeneration: 2, state: 'Ready' },
    ),
    argo: 'Progressing',
    flux: 'InProgress',
  },
  {
    name: 'agent: Ready written over Kaito’s CRD (observedGeneration pruned), spec edited since',
    object: workspace(3, {
      conditions: conditions(2, [
        resourceReady,
        inferenceReady,
        succeeded,
        ...kstatus('True', 'Succeeded', 'workspace succeeds'),
      ]),
      state: 'Ready',
    }),
    argo: 'Progressing',
    flux: 'InProgress',
  },
  {
    name: 'agent: Stalled on an invalid spec',
    object: agent(1, [
      { type: 'ResourceReady', status: 'False', reason: 'InvalidSpec', message: 'the spec is invalid' },
      ...kstatus(
        'False',
        'InvalidSpec',
        'inference.preset.name: Unsupported inference preset name phi-5',
        true,
      ),
    ]),
    argo: 'Degraded',
    flux: 'Failed',
  },
  ...(
    [
      ['crash-looping', crashLoop],
      ['OOM-killed', oom],
      ['unable to pull its image', imagePull],
    ] as const
  ).map(([what, condition]) => ({
    name: `agent: model ${what}`,
    object: agent(
      1,
      [resourceReady, condition, pending, ...kstatus('False', condition.reason, condition.message ?? '')],
      {
        state: 'NotReady',
      },
    ),
    argo: 'Degraded' as const,
    flux: 'Failed' as const,
  })),
  {
    name: 'agent: pods waiting for a node (Unschedulable)',
    object: agent(1, [
      resourceReady,
      unschedulable,
      pending,
      ...kstatus('False', 'Unschedulable', unschedulable.message ?? ''),
    ]),
    argo: 'Progressing',
    flux: 'InProgress',
  },
  {
    name: 'agent: pods Unschedulable 10 minutes after their nodes are ready (Stalled)',
    object: agent(1, [
      resourceReady,
      unschedulable,
      pending,
      ...kstatus(
        'False',
        'Unschedulable',
        `${unschedulable.message ?? ''}; the nodes have been ready for 10 min`,
        true,
      ),
    ]),
    argo: 'Degraded',
    flux: 'Failed',
  },
  {
    name: 'agent: model loading (replicas not ready yet)',
    object: agent(1, [
      resourceReady,
      inferenceFailure(
        'WorkspaceInferenceStatusPending',
        'Inference workload is not ready: 0/1 replicas ready',
      ),
      pending,
      ...kstatus('False', 'WorkspaceInferenceStatusPending', 'InferenceReady: 0/1 replicas ready'),
    ]),
    argo: 'Progressing',
    flux: 'InProgress',
  },
  {
    name: 'agent: tuning job failed',
    object: agent(
      1,
      [
        resourceReady,
        {
          type: 'JobStarted',
          status: 'False',
          reason: 'WorkspaceTuningJobStatusFailed',
          message: 'tuning job failed: BackoffLimitExceeded',
        },
        {
          type: 'WorkspaceSucceeded',
          status: 'False',
          reason: 'workspaceFailed',
          message: 'tuning job failed: BackoffLimitExceeded',
        },
        ...kstatus('False', 'WorkloadFailed', 'tuning job failed: BackoffLimitExceeded', true),
      ],
      { state: 'Failed' },
    ),
    argo: 'Degraded',
    flux: 'Failed',
  },
  {
    name: 'agent: tuning job running (Flux does not wait hours for training)',
    object: agent(
      1,
      [
        resourceReady,
        {
          type: 'JobStarted',
          status: 'True',
          reason: 'WorkspaceTuningJobStatusStarted',
          message: 'Tuning job has started',
        },
        {
          type: 'WorkspaceSucceeded',
          status: 'False',
          reason: 'workspacePending',
          message: 'workspace is waiting for the tuning job to complete',
        },
        ...kstatus(
          'False',
          'workspacePending',
          'WorkspaceSucceeded: workspace is waiting for the tuning job to complete',
        ),
      ],
      { state: 'Running' },
    ),
    argo: 'Progressing',
    flux: 'Current',
  },
  // Kaito v0.12's controller
  {
    name: 'Kaito: just applied, no status yet',
    object: workspace(1, undefined),
    argo: 'Progressing',
    flux: 'Unknown',
  },
  {
    name: 'Kaito: NodeClaims pending',
    object: kaito(
      1,
      [
        {
          type: 'NodeClaimReady',
          status: 'False',
          reason: 'NodeClaimNotReady',
          message: 'Ready NodeClaims are not enough',
        },
        {
          type: 'ResourceReady',
          status: 'False',
          reason: 'NodeClaimNotReady',
          message: 'Ready NodeClaims are not enough',
        },
        { ...pending, message: 'workspace is waiting for resource readiness' },
      ],
      'Pending',
    ),
    argo: 'Progressing',
    flux: 'InProgress',
  },
  {
    name: 'Kaito: succeeded',
    object: kaito(
      1,
      [
        {
          type: 'NodeClaimReady',
          status: 'True',
          reason: 'NodeClaimsReady',
          message: 'Enough NodeClaims are ready',
        },
        { type: 'NodesReady', status: 'True', reason: 'NodesReady', message: 'Enough Nodes are ready' },
        resourceReady,
        inferenceReady,
        {
          type: 'BenchmarkCompleted',
          status: 'True',
          reason: 'BenchmarkCompleted',
          message: 'benchmark completed',
        },
        succeeded,
      ],
      'Ready',
    ),
    argo: 'Healthy',
    flux: 'Current',
  },
  {
    name: 'Kaito: succeeded at generation 1, spec edited to generation 2',
    object: workspace(2, {
      conditions: conditions(1, [resourceReady, inferenceReady, succeeded]),
      state: 'Ready',
    }),
    argo: 'Progressing',
    flux: 'InProgress',
  },
  {
    name: 'Kaito: model crash-looping after being Ready',
    object: kaito(1, [resourceReady, crashLoop, { ...pending, message: crashLoop.message }], 'NotReady'),
    argo: 'Degraded',
    flux: 'Failed',
  },
  {
    name: 'Kaito: OOMKilled',
    object: kaito(1, [resourceReady, oom, pending], 'NotReady'),
    argo: 'Degraded',
    flux: 'Failed',
  },
  {
    name: 'Kaito: post-load benchmark failed',
    object: kaito(
      1,
      [
        resourceReady,
        inferenceReady,
        {
          type: 'WorkspaceSucceeded',
          status: 'False',
          reason: 'BenchmarkFailed',
          message: 'benchmark failed',
        },
      ],
      'NotReady',
    ),
    argo: 'Degraded',
    flux: 'Failed',
  },
  {
    name: 'Kaito: tuning job running',
    object: kaito(
      1,
      [
        resourceReady,
        {
          type: 'JobStarted',
          status: 'True',
          reason: 'WorkspaceTuningJobStatusStarted',
          message: 'Tuning job has started',
        },
        {
          type: 'WorkspaceSucceeded',
          status: 'False',
          reason: 'workspacePending',
          message: 'workspace is waiting for tuning job to complete',
        },
      ],
      'Running',
    ),
    argo: 'Progressing',
    flux: 'Current',
  },
  {
    name: 'Kaito: Unschedulable',
    object: kaito(1, [resourceReady, unschedulable, pending], 'Pending'),
    argo: 'Progressing',
    flux: 'InProgress',
  },
];
