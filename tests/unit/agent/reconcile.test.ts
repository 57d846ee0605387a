import { beforeAll, describe, expect, it } from 'vitest';
import { findCondition, type ConfigMapObject } from '../../../src/api/index.ts';
import type { Catalog } from '../../../src/catalog/index.ts';
import { readCatalog } from '../../../src/catalog/index.ts';
import { NotReadyError, TransientError } from '../../../src/errors.ts';
import type { NodeProvisioner, NodeStatus } from '../../../src/agent/node-provisioner.ts';
import type { WorkloadObjects } from '../../../src/agent/observe-workload.ts';
import { ownership } from '../../../src/agent/ownership.ts';
import { reconcileWorkspace } from '../../../src/agent/reconcile.ts';
import type { WorkspaceAccess } from '../../../src/agent/reconcile.ts';
import type { WorkspaceObject } from '../../../src/agent/workspace-object.ts';
import type { WorkspaceStatus } from '../../../src/agent/workspace-status.ts';
import { statusChanged } from '../../../src/agent/status-changed.ts';

let catalog: Catalog;
beforeAll(async () => {
  catalog = await readCatalog();
});

const phi3 = (extra: Partial<WorkspaceObject> = {}): WorkspaceObject => ({
  apiVersion: 'kaito.sh/v1beta1',
  kind: 'Workspace',
  metadata: { name: 'phi-3', namespace: 'default', generation: 1, resourceVersion: '1' },
  resource: { instanceType: 'Standard_NC6s_v3', labelSelector: { matchLabels: { apps: 'phi-3' } } },
  inference: { preset: { name: 'phi-3-mini-4k-instruct' } },
  ...extra,
});

class FakeWorkspaces implements WorkspaceAccess {
  object: WorkspaceObject;
  writes: WorkspaceStatus[] = [];
  finalizerWrites = 0;
  constructor(object: WorkspaceObject) {
    this.object = object;
  }
  get(): WorkspaceObject | undefined {
    return this.object;
  }
  setFinalizers(_object: WorkspaceObject, finalizers: string[]): Promise<void> {
    this.finalizerWrites += 1;
    this.object = { ...this.object, metadata: { ...this.object.metadata, finalizers } };
    return Promise.resolve();
  }
  writeStatus(_object: WorkspaceObject, status: WorkspaceStatus): Promise<boolean> {
    if (!statusChanged(this.object.status, status)) return Promise.resolve(false);
    this.writes.push(status);
    this.object = { ...this.object, status: JSON.parse(JSON.stringify(status)) as WorkspaceStatus };
    return Promise.resolve(true);
  }
}

class FakeProvisioner implements NodeProvisioner {
  kind: NodeProvisioner['kind'] = 'nodeclaim';
  nodes: NodeStatus = {
    readyNodes: [],
    ready: false,
    reason: 'NodeClaimNotReady',
    message: 'waiting',
    permanent: false,
  };
  failRelease: Error | undefined;
  released = false;
  provisioned = 0;
  provision(): Promise<void> {
    this.provisioned += 1;
    return Promise.resolve();
  }
  status(): Promise<NodeStatus> {
    return Promise.resolve(this.nodes);
  }
  release(): Promise<boolean> {
    if (this.failRelease) return Promise.reject(this.failRelease);
    return Promise.resolve(this.released);
  }
}

const none: WorkloadObjects = { deployments: [], statefulSets: [], jobs: [], pods: [] };
const servingDeployment: WorkloadObjects = {
  ...none,
  deployments: [
    {
      metadata: {
        name: 'phi-3',
        labels: { 'kaito.sh/workspace': 'phi-3', 'app.kubernetes.io/managed-by': 'kaito-gitops' },
      },
      spec: { replicas: 1, selector: {}, template: {} },
      status: { readyReplicas: 1 },
    },
  ],
};

function setup(object = phi3(), configMaps: ConfigMapObject[] = [], coexist = false) {
  const workspaces = new FakeWorkspaces(object);
  const provisioner = new FakeProvisioner();
  let workload = none;
  const deps = {
    workspaces,
    provisioner,
    configMap: (namespace: string, name: string) =>
      Promise.resolve(
        configMaps.find((c) => c.metadata.name === name && (c.metadata.namespace ?? 'default') === namespace),
      ),
    catalog,
    ownership: ownership(coexist),
    workloads: () => workload,
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
  return { workspaces, provisioner, deps, setWorkload: (w: WorkloadObjects) => (workload = w) };
}
const cond = (w: FakeWorkspaces, type: string) => {
  const c = findCondition(w.object.status?.conditions ?? [], type);
  return c && `${c.status}/${c.reason}`;
};

describe('reconcileWorkspace', () => {
  it.each([
    ['byo', true],
    ['nodeclaim', false],
  ] as const)(
    'with the %s provisioner, pods unschedulable for node labels say what to change: %s',
    async (kind, hinted) => {
      const { workspaces, provisioner, deps, setWorkload } = setup();
      provisioner.kind = kind;
      provisioner.nodes = {
        readyNodes: ['n1'],
        ready: true,
        reason: 'NodesReady',
        message: 'ok',
        permanent: false,
      };
      const scheduler = "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.";
      setWorkload({
        ...servingDeployment,
        deployments: servingDeployment.deployments.map((d) => ({ ...d, status: { readyReplicas: 0 } })),
        pods: [
          {
            metadata: { name: 'phi-3-0', labels: servingDeployment.deployments[0]!.metadata!.labels! },
            status: {
              conditions: [
                { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: scheduler },
              ],
            },
          },
        ],
      });
      await reconcileWorkspace('default/phi-3', deps);
      const inference = findCondition(workspaces.object.status?.conditions ?? [], 'InferenceReady');
      expect(inference?.reason).toBe('Unschedulable');
      expect(inference?.message).toContain(`pod phi-3-0 cannot be scheduled: ${scheduler}`);
      expect(inference?.message?.includes('"nodes: byo" in .kaito-gitops/settings.yaml')).toBe(hinted);
    },
  );

  it('adds the finalizer, provisions, and requeues while nodes come up', async () => {
    const { workspaces, provisioner, deps } = setup();
    expect(await reconcileWorkspace('default/phi-3', deps)).toEqual({ requeueAfterMs: 10_000 });
    expect(workspaces.object.metadata?.finalizers).toEqual(['workspace.finalizer.kaito.sh']);
    expect(provisioner.provisioned).toBe(1);
    expect(cond(workspaces, 'ResourceReady')).toBe('False/NodeClaimNotReady');
    expect(workspaces.object.status?.observedGeneration).toBe(1);
    expect(workspaces.object.status?.targetNodeCount).toBe(1);
  });

  it('reaches Ready, then writes nothing more while nothing changes', async () => {
    const { workspaces, provisioner, deps, setWorkload } = setup();
    provisioner.nodes = {
      readyNodes: ['n1'],
      ready: true,
      reason: 'NodesReady',
      message: 'ok',
      permanent: false,
    };
    setWorkload(servingDeployment);
    expect(await reconcileWorkspace('default/phi-3', deps)).toEqual({});
    expect(cond(workspaces, 'Ready')).toBe('True/Succeeded');
    expect(workspaces.object.status?.workerNodes).toEqual(['n1']);
    await reconcileWorkspace('default/phi-3', deps);
    await reconcileWorkspace('default/phi-3', deps);
    expect(workspaces.writes).toHaveLength(1);
    expect(workspaces.finalizerWrites).toBe(1);
  });

  it('stalls on a spec that cannot be planned, naming the problem', async () => {
    const { workspaces, deps } = setup(phi3({ inference: { preset: { name: 'no-such-model' } } }));
    expect(await reconcileWorkspace('default/phi-3', deps)).toEqual({});
    expect(cond(workspaces, 'Stalled')).toBe('True/InvalidSpec');
    expect(findCondition(workspaces.object.status?.conditions ?? [], 'Stalled')?.message).toContain(
      'no-such-model',
    );
  });

  it('writes the transient error into the status, then throws for backoff', async () => {
    const { workspaces, provisioner, deps } = setup();
    provisioner.status = () => Promise.reject(new TransientError('the API server answered 503'));
    await expect(reconcileWorkspace('default/phi-3', deps)).rejects.toThrow(TransientError);
    expect(cond(workspaces, 'Reconciling')).toBe('True/ProgressingWithRetry');
  });

  it('writes what a provisioner waits for (NotReadyError) as Reconciling and requeues after its delay', async () => {
    const { workspaces, provisioner, deps } = setup();
    provisioner.status = () => Promise.reject(new NotReadyError('the agent pool is being created', 30));
    expect(await reconcileWorkspace('default/phi-3', deps)).toEqual({ requeueAfterMs: 30_000 });
    expect(cond(workspaces, 'Reconciling')).toBe('True/ProgressingWithRetry');
    expect(cond(workspaces, 'Stalled')).toBe('False/ProgressingWithRetry');
  });

  it('on delete waits for release, says why, then removes the finalizer', async () => {
    const deleting = phi3({
      metadata: {
        name: 'phi-3',
        namespace: 'default',
        generation: 2,
        finalizers: ['other', 'workspace.finalizer.kaito.sh'],
        deletionTimestamp: new Date(),
      },
    });
    const { workspaces, provisioner, deps } = setup(deleting);
    provisioner.failRelease = new TransientError('nodeclaims.karpenter.sh is not served by this cluster');
    await expect(reconcileWorkspace('default/phi-3', deps)).rejects.toThrow(TransientError);
    expect(findCondition(workspaces.object.status?.conditions ?? [], 'WorkspaceDeleting')?.message).toBe(
      'workspace is being deleted; waiting for the nodeclaim provisioner to release the nodes, which failed: nodeclaims.karpenter.sh is not served by this cluster',
    );
    provisioner.failRelease = undefined;
    expect(await reconcileWorkspace('default/phi-3', deps)).toEqual({ requeueAfterMs: 10_000 });
    expect(workspaces.object.metadata?.finalizers).toContain('workspace.finalizer.kaito.sh');
    provisioner.released = true;
    expect(await reconcileWorkspace('default/phi-3', deps)).toEqual({});
    expect(workspaces.object.metadata?.finalizers).toEqual(['other']);
  });
});

describe('reconcileWorkspace beside Kaito (--coexist)', () => {
  it('leaves a Workspace kaito-gitops did not render alone', async () => {
    const { workspaces, provisioner, deps } = setup(phi3(), [], true);
    expect(await reconcileWorkspace('default/phi-3', deps)).toEqual({});
    expect([workspaces.finalizerWrites, workspaces.writes.length, provisioner.provisioned]).toEqual([
      0, 0, 0,
    ]);
  });

  it('holds its own Workspaces with its own finalizer and never removes Kaito’s', async () => {
    const labels = { 'app.kubernetes.io/managed-by': 'kaito-gitops' };
    const ours = phi3({ metadata: { name: 'phi-3', namespace: 'default', generation: 1, labels } });
    const { workspaces, provisioner, deps } = setup(ours, [], true);
    await reconcileWorkspace('default/phi-3', deps);
    expect(workspaces.object.metadata?.finalizers).toEqual(['gitops.kaito.sh/finalizer']);
    workspaces.object = {
      ...workspaces.object,
      metadata: {
        ...workspaces.object.metadata,
        finalizers: ['workspace.finalizer.kaito.sh', 'gitops.kaito.sh/finalizer'],
        deletionTimestamp: new Date(),
      },
    };
    provisioner.released = true;
    await reconcileWorkspace('default/phi-3', deps);
    expect(workspaces.object.metadata?.finalizers).toEqual(['workspace.finalizer.kaito.sh']);
  });
});

describe('statusChanged', () => {
  const status = (observedGeneration: number): WorkspaceStatus => ({
    conditions: [],
    observedGeneration,
    workerNodes: [],
    targetNodeCount: 1,
    state: 'Ready',
  });

  it('ignores what the server drops, and nothing else', () => {
    const { observedGeneration: _pruned, ...stored } = status(3);
    expect(statusChanged(stored, status(3))).toBe(true);
    expect(statusChanged(stored, status(3), new Set(['observedGeneration']))).toBe(false);
    expect(statusChanged({ ...stored, state: 'NotReady' }, status(3), new Set(['observedGeneration']))).toBe(
      true,
    );
  });
});

describe('reconcileWorkspace with a referenced ConfigMap', () => {
  const llama = (): WorkspaceObject => ({
    apiVersion: 'kaito.sh/v1beta1',
    kind: 'Workspace',
    metadata: { name: 'llama', namespace: 'default', generation: 1, resourceVersion: '1' },
    resource: { instanceType: 'Standard_NC24ads_A100_v4', labelSelector: { matchLabels: { apps: 'llama' } } },
    inference: {
      preset: { name: 'llama-3.3-70b-instruct', presetOptions: { modelAccessSecret: 'hf-token' } },
      config: 'llama-params',
    },
  });
  const params = (maxModelLen: number): ConfigMapObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'llama-params', namespace: 'default' },
    data: { 'inference_config.yaml': `vllm:\n  max-model-len: ${maxModelLen}\n` },
  });

  it('waits (Reconciling, not Stalled) while the ConfigMap is not there yet', async () => {
    const { workspaces, provisioner, deps } = setup(llama());
    expect(await reconcileWorkspace('default/llama', deps)).toEqual({ requeueAfterMs: 10_000 });
    expect(cond(workspaces, 'Stalled')).toMatch(/^False/);
    expect(cond(workspaces, 'Reconciling')).toMatch(/^True/);
    expect(findCondition(workspaces.object.status?.conditions ?? [], 'Ready')?.message).toContain(
      "ConfigMap 'llama-params' (inference.config) is not in namespace 'default' yet",
    );
    expect(provisioner.provisioned).toBe(0);
  });

  it('plans with the ConfigMap, as synth does: its max-model-len sizes the nodes', async () => {
    const short = setup(llama(), [params(2048)]);
    await reconcileWorkspace('default/llama', short.deps);
    expect(cond(short.workspaces, 'Stalled')).toMatch(/^False/);
    // Kaito's estimator on one 80 GiB A100 per node: 3 nodes at 2,048 tokens, 6 at 131,072.
    expect(short.workspaces.object.status?.targetNodeCount).toBe(3);
    const long = setup(llama(), [params(131072)]);
    await reconcileWorkspace('default/llama', long.deps);
    expect(long.workspaces.object.status?.targetNodeCount).toBe(6);
  });
});
