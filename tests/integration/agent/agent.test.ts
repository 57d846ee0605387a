/**
 * The agent against the in-process kube API server, through the real @kubernetes/client-node: the test
 * plays Karpenter, kubelet and the Deployment controller by writing the objects they would write.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { startKubeApiServer } from '../../support/kube-api-server/index.ts';
import type { KubeApiServer, KubeObject } from '../../support/kube-api-server/index.ts';
import { startAgent } from '../../../src/agent/agent.ts';
import type { AgentConfig, RunningAgent } from '../../../src/agent/agent.ts';
import { readCatalog } from '../../../src/catalog/index.ts';
import { silentLogger } from '../../../src/observe/index.ts';
import type { Catalog } from '../../../src/catalog/index.ts';
import { testAgentConfig, workspaceDeployment } from '../../support/agent-config.ts';

let server: KubeApiServer;
let catalog: Catalog;
let kc: k8s.KubeConfig;
let custom: k8s.CustomObjectsApi;
const agents: RunningAgent[] = [];
const quiet = silentLogger;

beforeAll(async () => {
  server = await startKubeApiServer({ bookmarkIntervalMs: 200 });
  catalog = await readCatalog();
  kc = server.kubeConfig();
  custom = kc.makeApiClient(k8s.CustomObjectsApi);
});
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.stop();
});
afterAll(async () => {
  await server.close();
});

function config(identity: string, overrides: Partial<AgentConfig> = {}): AgentConfig {
  return testAgentConfig(catalog, { name: `agent-${identity.split('-')[0] ?? ''}`, identity }, overrides);
}

async function agent(identity: string, overrides: Partial<AgentConfig> = {}): Promise<RunningAgent> {
  const running = await startAgent(kc, config(identity, overrides), quiet);
  agents.push(running);
  return running;
}

const WS = { group: 'kaito.sh', version: 'v1beta1', plural: 'workspaces' };

async function createWorkspace(name: string, namespace = 'default'): Promise<void> {
  await custom.createNamespacedCustomObject({
    ...WS,
    namespace,
    body: {
      apiVersion: 'kaito.sh/v1beta1',
      kind: 'Workspace',
      metadata: { name, namespace },
      resource: { instanceType: 'Standard_NC6s_v3', labelSelector: { matchLabels: { apps: name } } },
      inference: { preset: { name: 'phi-3-mini-4k-instruct' } },
    },
  });
}

const workspace = (name: string, namespace = 'default') =>
  server.get('kaito.sh/v1beta1', 'Workspace', name, namespace);
interface Cond {
  type: string;
  status: string;
  reason: string;
  message: string;
}
const condition = (name: string, type: string): string | undefined => {
  const c = ((workspace(name)?.status as { conditions?: Cond[] } | undefined)?.conditions ?? []).find(
    (x) => x.type === type,
  );
  return c && `${c.status}/${c.reason}`;
};
const message = (name: string, type: string): string | undefined =>
  ((workspace(name)?.status as { conditions?: Cond[] } | undefined)?.conditions ?? []).find(
    (x) => x.type === type,
  )?.message;
/** Write requests by verb and resource since the last reset, leader-election renewals left out. */
const writesExceptLeases = (): Record<string, number> =>
  Object.fromEntries(
    Object.entries(server.requests.snapshot()).filter(
      ([key]) => /^(create|update|patch|delete) /.test(key) && !key.includes('leases.coordination.k8s.io'),
    ),
  );
const claimsOf = (name: string) =>
  server
    .list('karpenter.sh/v1', 'NodeClaim')
    .filter((c) => c.metadata?.labels?.['kaito.sh/workspace'] === name);

/** What Karpenter and the kubelet do: a Ready node with GPU capacity carrying the NodeClaim's labels. */
async function launchNodes(name: string): Promise<void> {
  for (const claim of claimsOf(name)) {
    const nodeName = `aks-${claim.metadata?.name ?? ''}`;
    server.seed({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: nodeName,
        labels: { ...claim.metadata?.labels, 'node.kubernetes.io/instance-type': 'Standard_NC6s_v3' },
      },
      status: { conditions: [{ type: 'Ready', status: 'True' }], capacity: { 'nvidia.com/gpu': '1' } },
    });
    await claimStatus(claim, { nodeName, conditions: [{ type: 'Ready', status: 'True' }] });
  }
}

const MERGE = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/** What Karpenter does to a NodeClaim's status, through the status subresource. */
async function claimStatus(claim: KubeObject, status: object): Promise<void> {
  await custom.patchClusterCustomObjectStatus(
    {
      group: 'karpenter.sh',
      version: 'v1',
      plural: 'nodeclaims',
      name: claim.metadata?.name ?? '',
      body: { status },
    },
    MERGE,
  );
}

/** What the Deployment controller does (the manifests come from GitOps, labelled for the Workspace). */
async function deployment(name: string, readyReplicas: number): Promise<void> {
  if (server.get('apps/v1', 'Deployment', name, 'default') !== undefined) {
    await kc
      .makeApiClient(k8s.AppsV1Api)
      .patchNamespacedDeploymentStatus(
        { name, namespace: 'default', body: { status: { replicas: 1, readyReplicas } } },
        MERGE,
      );
    return;
  }
  server.seed(workspaceDeployment(name, readyReplicas));
}

/** What the kubelet does to the Workspace's pod `<name>-0` (or `podName`). */
async function pod(name: string, status: object, podName = `${name}-0`): Promise<void> {
  if (server.get('v1', 'Pod', podName, 'default') !== undefined) {
    await kc
      .makeApiClient(k8s.CoreV1Api)
      .patchNamespacedPodStatus({ name: podName, namespace: 'default', body: { status } }, MERGE);
    return;
  }
  server.seed({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName,
      namespace: 'default',
      labels: { 'kaito.sh/workspace': name, 'app.kubernetes.io/managed-by': 'kaito-gitops' },
    },
    spec: { containers: [{ name: 'model', image: 'vllm' }] },
    status,
  });
}

describe('agent with the nodeclaim provisioner', () => {
  it('takes phi-3 from Pending to Ready, notices an OOMKill, and writes nothing at steady state', async () => {
    const running = await agent('a-1');
    await createWorkspace('phi-3');
    await vi.waitFor(() => expect(claimsOf('phi-3')).toHaveLength(1), { timeout: 5000 });
    const claim = claimsOf('phi-3')[0]!;
    expect(claim.metadata?.name).toMatch(/^ws[0-9a-f]{9}$/);
    expect(claim.metadata?.annotations?.['karpenter.sh/do-not-disrupt']).toBe('true');
    await vi.waitFor(() => expect(condition('phi-3', 'ResourceReady')).toBe('False/NodeClaimNotReady'), {
      timeout: 5000,
    });
    expect(workspace('phi-3')?.metadata?.finalizers).toEqual(['workspace.finalizer.kaito.sh']);
    expect((workspace('phi-3')?.status as { state?: string }).state).toBe('Pending');
    expect(condition('phi-3', 'Reconciling')).toBe('True/Progressing');

    await launchNodes('phi-3');
    await vi.waitFor(
      () => expect(condition('phi-3', 'ResourceReady')).toBe('True/workspaceResourceStatusSuccess'),
      { timeout: 5000 },
    );
    expect(condition('phi-3', 'InferenceReady')).toBe('False/WorkspaceInferenceStatusPending');

    await deployment('phi-3', 1);
    await pod('phi-3', { conditions: [{ type: 'Ready', status: 'True' }] });
    await vi.waitFor(() => expect(condition('phi-3', 'Ready')).toBe('True/Succeeded'), { timeout: 5000 });
    const status = workspace('phi-3')?.status as {
      observedGeneration: number;
      workerNodes: string[];
      state: string;
      targetNodeCount: number;
    };
    expect(status).toMatchObject({
      observedGeneration: 1,
      state: 'Ready',
      targetNodeCount: 1,
      workerNodes: [`aks-${claim.metadata?.name ?? ''}`],
    });

    // Steady state: several resyncs later, not one write.
    await running.idle();
    server.requests.reset();
    const reconcilesBefore = (await running.metrics.reconciles()).get('success') ?? 0;
    await vi.waitFor(
      async () =>
        expect((await running.metrics.reconciles()).get('success') ?? 0).toBeGreaterThan(
          reconcilesBefore + 2,
        ),
      { timeout: 5000 },
    );
    expect(writesExceptLeases()).toEqual({});

    // The pod is OOMKilled after being Ready: InferenceReady and Ready go False (kaito#931/#1493).
    await pod('phi-3', {
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [
        {
          name: 'model',
          image: 'vllm',
          imageID: '',
          ready: false,
          restartCount: 1,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
        },
      ],
    });
    await vi.waitFor(() => expect(condition('phi-3', 'InferenceReady')).toBe('False/ContainerOOMKilled'), {
      timeout: 5000,
    });
    expect(condition('phi-3', 'Ready')).toBe('False/ContainerOOMKilled');
    expect((workspace('phi-3')?.status as { state: string }).state).toBe('NotReady');

    const metrics = await (await fetch(`http://127.0.0.1:${running.healthPort}/metrics`)).text();
    expect(metrics).toMatch(/kaito_gitops_status_writes_total [1-9]/);
    expect((await fetch(`http://127.0.0.1:${running.healthPort}/readyz`)).status).toBe(200);
  });

  it('stays Ready beside the evicted pod it replaced, and says why while failed pods are all there is', async () => {
    await agent('f-1');
    await createWorkspace('evict');
    await vi.waitFor(() => expect(claimsOf('evict')).toHaveLength(1), { timeout: 5000 });
    await launchNodes('evict');
    await deployment('evict', 0);
    const evicted = {
      phase: 'Failed',
      reason: 'Evicted',
      message: 'The node was low on resource: ephemeral-storage.',
    };
    await pod('evict', evicted, 'evict-5d8c9-a1b2c');
    await vi.waitFor(() => expect(condition('evict', 'InferenceReady')).toBe('False/PodEvicted'), {
      timeout: 5000,
    });
    expect(message('evict', 'InferenceReady')).toBe(
      'pod evict-5d8c9-a1b2c was evicted: The node was low on resource: ephemeral-storage.',
    );

    // The Deployment's replacement is Ready (created a second later: creationTimestamp has second
    // precision); the evicted pod stays until the pod garbage collector's threshold (12,500 terminated
    // pods by default), which may be for ever.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await pod(
      'evict',
      { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      'evict-5d8c9-x9y8z',
    );
    await deployment('evict', 1);
    await vi.waitFor(() => expect(condition('evict', 'Ready')).toBe('True/Succeeded'), { timeout: 5000 });
    expect(condition('evict', 'InferenceReady')).toBe('True/WorkspaceInferenceStatusSuccess');
    expect(server.get('v1', 'Pod', 'evict-5d8c9-a1b2c', 'default')).toBeDefined();

    // The replacement fails too (the kubelet rejected it: its GPU is unhealthy): failed pods are history
    // only once a Ready pod replaces them, so the Workspace is down again and says why, newest first.
    await deployment('evict', 0);
    await pod(
      'evict',
      {
        phase: 'Failed',
        reason: 'UnexpectedAdmissionError',
        message:
          'Allocate failed due to no healthy devices present; cannot allocate unhealthy devices nvidia.com/gpu, which is unexpected',
        conditions: [{ type: 'Ready', status: 'False' }],
      },
      'evict-5d8c9-x9y8z',
    );
    await vi.waitFor(() => expect(condition('evict', 'InferenceReady')).toBe('False/PodFailed'), {
      timeout: 5000,
    });
    expect(message('evict', 'InferenceReady')).toBe(
      'pod evict-5d8c9-x9y8z failed (UnexpectedAdmissionError): Allocate failed due to no healthy devices present; cannot allocate unhealthy devices nvidia.com/gpu, which is unexpected',
    );
    expect((workspace('evict')?.status as { state: string }).state).toBe('NotReady');
  });

  it('stalls with the NodeClaim quota message verbatim', async () => {
    await agent('b-1');
    await createWorkspace('quota');
    await vi.waitFor(() => expect(claimsOf('quota')).toHaveLength(1), { timeout: 5000 });
    const text =
      'Operation could not be completed as it results in exceeding approved standardNCSv3Family Cores quota';
    await claimStatus(claimsOf('quota')[0]!, {
      conditions: [{ type: 'Launched', status: 'False', reason: 'InsufficientCapacity', message: text }],
    });
    await vi.waitFor(() => expect(condition('quota', 'Stalled')).toBe('True/ProvisioningFailed'), {
      timeout: 5000,
    });
    expect(message('quota', 'Stalled')).toBe(text);
    expect(condition('quota', 'ResourceReady')).toBe('False/InsufficientCapacity');
  });

  it('converges after watches drop and history is compacted (410 Gone)', async () => {
    const running = await agent('c-1');
    await createWorkspace('drop');
    await vi.waitFor(() => expect(claimsOf('drop')).toHaveLength(1), { timeout: 5000 });
    server.requests.reset();
    server.compact();
    server.dropWatches();
    await launchNodes('drop');
    await deployment('drop', 1);
    await vi.waitFor(() => expect(condition('drop', 'Ready')).toBe('True/Succeeded'), { timeout: 5000 });
    expect(running.isLeader()).toBe(true);
    // The Node informer came back by listing again: no Node changed since its list, so its
    // resourceVersion was older than the compaction point and the watch answered 410 Gone. (Informers
    // whose last event is the newest in the store may legitimately resume without a relist.)
    expect(server.requests.count({ verb: 'list', resource: 'nodes' })).toBeGreaterThan(0);
  });

  it('on delete removes the NodeClaims, then the finalizer, and the Workspace is gone', async () => {
    await agent('d-1');
    await createWorkspace('gone');
    await vi.waitFor(() => expect(claimsOf('gone')).toHaveLength(1), { timeout: 5000 });
    await vi.waitFor(
      () => expect(workspace('gone')?.metadata?.finalizers).toContain('workspace.finalizer.kaito.sh'),
      { timeout: 5000 },
    );
    await custom.deleteNamespacedCustomObject({ ...WS, namespace: 'default', name: 'gone' });
    await vi.waitFor(() => expect(workspace('gone')).toBeUndefined(), { timeout: 5000 });
    expect(claimsOf('gone')).toHaveLength(0);
  });

  it("counts and deletes only its own NodeClaims, never Kaito's for the same Workspace", async () => {
    // What Kaito v0.12 left for a Workspace moved to kaito-gitops (README "Moving from Kaito"): a NodeClaim
    // named from a timestamp hash, labelled for the Workspace, and its Ready GPU node serving Kaito's pods.
    const kaitoClaim = 'ws3f9a0c1d2';
    const kaitoLabels = {
      apps: 'moved',
      'karpenter.sh/nodepool': 'kaito',
      'kaito.sh/workspace': 'moved',
      'kaito.sh/workspacenamespace': 'default',
    };
    server.seed({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: { name: kaitoClaim, labels: kaitoLabels },
      spec: {},
      status: { nodeName: `aks-${kaitoClaim}`, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    server.seed({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: `aks-${kaitoClaim}`,
        labels: { ...kaitoLabels, 'node.kubernetes.io/instance-type': 'Standard_NC6s_v3' },
      },
      status: { conditions: [{ type: 'Ready', status: 'True' }], capacity: { 'nvidia.com/gpu': '1' } },
    });

    await agent('g-1');
    await createWorkspace('moved');
    // The agent buys its own node: Kaito's is busy with Kaito's pods and does not make the Workspace ready.
    await vi.waitFor(() => expect(claimsOf('moved')).toHaveLength(2), { timeout: 5000 });
    await vi.waitFor(() => expect(condition('moved', 'ResourceReady')).toBe('False/NodeClaimNotReady'), {
      timeout: 5000,
    });
    expect(message('moved', 'ResourceReady')).toBe('Ready NodeClaims are not enough: 0 of 1 ready');
    // README "Moving from Kaito", step 7: the selector that finds Kaito's claims and not the agent's.
    const kaitos = (await custom.listClusterCustomObject({
      group: 'karpenter.sh',
      version: 'v1',
      plural: 'nodeclaims',
      labelSelector:
        'kaito.sh/workspace=moved,kaito.sh/workspacenamespace=default,!kaito-gitops.io/node-index',
    })) as { items: KubeObject[] };
    expect(kaitos.items.map((c) => c.metadata?.name)).toEqual([kaitoClaim]);

    // Deleting the Workspace releases the agent's NodeClaim; Kaito's is left for its owner (README).
    await custom.deleteNamespacedCustomObject({ ...WS, namespace: 'default', name: 'moved' });
    await vi.waitFor(() => expect(workspace('moved')).toBeUndefined(), { timeout: 5000 });
    expect(claimsOf('moved').map((c) => c.metadata?.name)).toEqual([kaitoClaim]);
  });
});

describe('leader election', () => {
  it('lets one agent of two reconcile, and the other take over when it stops', async () => {
    const first = await agent('e-1');
    await vi.waitFor(() => expect(first.isLeader()).toBe(true), { timeout: 5000 });
    const second = await agent('e-2');
    await createWorkspace('leader');
    await vi.waitFor(() => expect(condition('leader', 'ResourceReady')).toBe('False/NodeClaimNotReady'), {
      timeout: 5000,
    });
    expect(second.isLeader()).toBe(false);
    expect((await second.metrics.reconciles()).size).toBe(0);
    agents.splice(agents.indexOf(first), 1);
    await first.stop();
    await vi.waitFor(() => expect(second.isLeader()).toBe(true), { timeout: 5000 });
    await launchNodes('leader');
    await vi.waitFor(
      () => expect(condition('leader', 'ResourceReady')).toBe('True/workspaceResourceStatusSuccess'),
      { timeout: 5000 },
    );
  });
});
