import { describe, expect, it } from 'vitest';
import type { V1Node } from '@kubernetes/client-node';
import {
  buildNodeClaim,
  byoStatus,
  createNodeProvisioner,
  nodeClaimName,
} from '../../../src/agent/provisioners/index.ts';
import type { NodeClaim, NodeClaimStore } from '../../../src/agent/provisioners/index.ts';
import type { NodeRequest } from '../../../src/agent/node-provisioner.ts';
import { UsageError } from '../../../src/errors.ts';
import { gpuNode } from './fixtures.ts';

const request: NodeRequest = {
  workspace: { namespace: 'default', name: 'phi-3' },
  instanceType: 'Standard_NC6s_v3',
  nodes: 2,
  gpusPerNode: 1,
  matchLabels: { apps: 'phi-3' },
  diskGiB: 88,
};

/** NodeClaims in memory, with a cache that only catches up when told (as an informer lags). */
class FakeClaims implements NodeClaimStore {
  readonly server = new Map<string, NodeClaim>();
  cache: NodeClaim[] = [];
  creates = 0;
  conflicts = 0;
  list(namespace: string, name: string): readonly NodeClaim[] {
    return this.cache.filter(
      (c) =>
        c.metadata?.labels?.['kaito.sh/workspace'] === name &&
        c.metadata.labels['kaito.sh/workspacenamespace'] === namespace,
    );
  }
  create(claim: NodeClaim): Promise<void> {
    this.creates += 1;
    const name = claim.metadata?.name ?? '';
    if (this.server.has(name)) this.conflicts += 1;
    else this.server.set(name, claim);
    return Promise.resolve();
  }
  delete(name: string): Promise<void> {
    this.server.delete(name);
    return Promise.resolve();
  }
  sync(): void {
    this.cache = [...this.server.values()];
  }
}

const nodeFor = (claim: NodeClaim, options: Parameters<typeof gpuNode>[1] = {}): V1Node =>
  gpuNode(`aks-${claim.metadata?.name ?? ''}`, {
    labels: { ...claim.metadata?.labels },
    ...options,
  });

describe('nodeClaimName', () => {
  it('is ws + 9 hex, stable and distinct per index, namespace and name', () => {
    const a = nodeClaimName(request.workspace, 0);
    expect(a).toMatch(/^ws[0-9a-f]{9}$/);
    expect(nodeClaimName(request.workspace, 0)).toBe(a);
    expect(
      new Set([
        a,
        nodeClaimName(request.workspace, 1),
        nodeClaimName({ namespace: 'other', name: 'phi-3' }, 0),
      ]).size,
    ).toBe(3);
  });
});

describe('buildNodeClaim', () => {
  it("matches Kaito's NodeClaim", () => {
    const claim = buildNodeClaim(request, 0);
    expect(claim.apiVersion).toBe('karpenter.sh/v1');
    expect(claim.metadata?.labels).toMatchObject({
      apps: 'phi-3',
      'karpenter.sh/nodepool': 'kaito',
      'kaito.sh/workspace': 'phi-3',
      'kaito.sh/workspacenamespace': 'default',
    });
    expect(claim.metadata?.annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
    expect(claim.spec?.taints).toEqual([{ key: 'sku', value: 'gpu', effect: 'NoSchedule' }]);
    expect(claim.spec?.requirements).toEqual([
      { key: 'karpenter.sh/nodepool', operator: 'In', values: ['kaito'] },
      { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['Standard_NC6s_v3'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
      { key: 'karpenter.azure.com/sku-name', operator: 'In', values: ['Standard_NC6s_v3'] },
    ]);
    expect(claim.spec?.resources?.requests).toEqual({ storage: '88Gi' });
    expect(claim.spec?.nodeClassRef).toEqual({ group: 'kaito.sh', kind: 'KaitoNodeClass', name: 'default' });
  });
});

describe('nodeclaim provisioner', () => {
  it('creates one NodeClaim per node, and a lagging cache never duplicates one', async () => {
    const store = new FakeClaims();
    const provisioner = createNodeProvisioner('nodeclaim', {
      cluster: { nodes: () => [] },
      nodeClaims: store,
    });
    await provisioner.provision(request);
    await provisioner.provision(request); // the cache has not seen the creates yet
    expect(store.server.size).toBe(2);
    expect(store.conflicts).toBe(2);
    store.sync();
    await provisioner.provision(request);
    expect(store.creates).toBe(4);
  });

  it('goes from NodeClaimNotReady to NodePluginsNotReady to ready as the nodes come up', async () => {
    const store = new FakeClaims();
    let nodes: V1Node[] = [];
    const provisioner = createNodeProvisioner('nodeclaim', {
      cluster: { nodes: () => nodes },
      nodeClaims: store,
    });
    await provisioner.provision(request);
    store.sync();
    expect(await provisioner.status(request)).toMatchObject({
      ready: false,
      reason: 'NodeClaimNotReady',
      permanent: false,
    });
    for (const claim of store.cache)
      claim.status = {
        nodeName: `aks-${claim.metadata?.name ?? ''}`,
        conditions: [{ type: 'Ready', status: 'True' }],
      };
    nodes = store.cache.map((c) => nodeFor(c, { gpus: '' }));
    expect(await provisioner.status(request)).toMatchObject({ ready: false, reason: 'NodePluginsNotReady' });
    nodes = store.cache.map((c) => nodeFor(c));
    const ready = await provisioner.status(request);
    expect(ready).toMatchObject({ ready: true, reason: 'NodesReady' });
    expect(ready.readyNodes).toEqual(nodes.map((n) => n.metadata?.name).sort());
  });

  it('reports a quota failure verbatim as permanent', async () => {
    const store = new FakeClaims();
    const provisioner = createNodeProvisioner('nodeclaim', {
      cluster: { nodes: () => [] },
      nodeClaims: store,
    });
    await provisioner.provision(request);
    store.sync();
    const message =
      'Operation could not be completed as it results in exceeding approved standardNCSv3Family Cores quota';
    store.cache[1]!.status = {
      conditions: [{ type: 'Launched', status: 'False', reason: 'InsufficientCapacity', message }],
    };
    expect(await provisioner.status(request)).toMatchObject({
      ready: false,
      reason: 'InsufficientCapacity',
      message,
      permanent: true,
    });
  });

  it('mentions a transient launch failure without stalling', async () => {
    const store = new FakeClaims();
    const provisioner = createNodeProvisioner('nodeclaim', {
      cluster: { nodes: () => [] },
      nodeClaims: store,
    });
    await provisioner.provision(request);
    store.sync();
    store.cache[0]!.status = {
      conditions: [{ type: 'Launched', status: 'False', reason: 'LaunchFailed', message: 'throttled' }],
    };
    const status = await provisioner.status(request);
    expect(status).toMatchObject({ reason: 'NodeClaimNotReady', permanent: false });
    expect(status.message).toContain('LaunchFailed: throttled');
  });

  it('scales down from the highest index and releases everything', async () => {
    const store = new FakeClaims();
    const provisioner = createNodeProvisioner('nodeclaim', {
      cluster: { nodes: () => [] },
      nodeClaims: store,
    });
    await provisioner.provision({ ...request, nodes: 3 });
    store.sync();
    await provisioner.provision({ ...request, nodes: 1 });
    expect([...store.server.keys()]).toEqual([nodeClaimName(request.workspace, 0)]);
    store.sync();
    expect(await provisioner.release(request.workspace)).toBe(false);
    store.sync();
    expect(store.server.size).toBe(0);
    expect(await provisioner.release(request.workspace)).toBe(true);
  });

  it("neither counts nor deletes Kaito's NodeClaims for the same Workspace", async () => {
    const store = new FakeClaims();
    const kaito: NodeClaim = {
      ...buildNodeClaim(request, 0),
      metadata: {
        name: 'ws3f9a0c1d2',
        labels: {
          apps: 'phi-3',
          'karpenter.sh/nodepool': 'kaito',
          'kaito.sh/workspace': 'phi-3',
          'kaito.sh/workspacenamespace': 'default',
        },
      },
      status: { nodeName: 'aks-ws3f9a0c1d2', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    // A claim with our label but not our name for it is not ours either.
    const relabelled: NodeClaim = {
      ...kaito,
      metadata: {
        name: 'ws0000000aa',
        labels: { ...kaito.metadata?.labels, 'kaito-gitops.io/node-index': '0' },
      },
    };
    store.server.set('ws3f9a0c1d2', kaito);
    store.server.set('ws0000000aa', relabelled);
    const provisioner = createNodeProvisioner('nodeclaim', {
      cluster: { nodes: () => [nodeFor(kaito), nodeFor(relabelled)] },
      nodeClaims: store,
    });
    store.sync();
    await provisioner.provision(request);
    expect(store.server.size).toBe(4);
    store.sync();
    expect(await provisioner.status(request)).toMatchObject({
      ready: false,
      readyNodes: [],
      message: 'Ready NodeClaims are not enough: 0 of 2 ready',
    });
    expect(await provisioner.release(request.workspace)).toBe(false);
    store.sync();
    expect(await provisioner.release(request.workspace)).toBe(true);
    expect([...store.server.keys()].sort()).toEqual(['ws0000000aa', 'ws3f9a0c1d2']);
  });
});

describe('byo provisioner', () => {
  const gfd = (
    name: string,
    product: string,
    count: string,
    memory: string,
    extra: Parameters<typeof gpuNode>[1] = {},
  ) =>
    gpuNode(name, {
      ...extra,
      labels: {
        apps: 'phi-3',
        'nvidia.com/gpu.product': product,
        'nvidia.com/gpu.count': count,
        'nvidia.com/gpu.memory': memory,
      },
    });
  const byo = { ...request, instanceType: undefined, nodes: 1 };

  it.each([
    [
      'no matching node',
      [gpuNode('x', { labels: { apps: 'other' } })],
      byo,
      false,
      'No nodes found matching the specified label selector',
      false,
    ],
    [
      'no GFD labels',
      [gpuNode('a')],
      byo,
      false,
      'Failed to get GPU config from nvidia labels on node a: missing nvidia.com/gpu.product, nvidia.com/gpu.count, nvidia.com/gpu.memory',
      false,
    ],
    [
      'non-uniform products',
      [gfd('a', 'Tesla-V100', '1', '16384'), gfd('b', 'A100', '1', '16384')],
      byo,
      false,
      'Non-uniform GPU product: a=Tesla-V100, b=A100',
      true,
    ],
    [
      'non-uniform memory',
      [gfd('a', 'A100', '1', '40960'), gfd('b', 'A100', '1', '81920')],
      byo,
      false,
      'Non-uniform GPU memory: a=40960, b=81920',
      true,
    ],
    [
      'too little GPU memory',
      [gfd('a', 'T4', '1', '16384')],
      { ...byo, minNodeGpuMemoryGiB: 40 },
      false,
      'Insufficient GPU memory: nodes matching the label selector have 16Gi (1 × T4), but 40Gi is needed per node',
      true,
    ],
    ['a Ready node', [gfd('a', 'T4', '1', '16384')], byo, true, 'Enough Nodes are ready', false],
    [
      'a NotReady node',
      [gfd('a', 'T4', '1', '16384', { ready: false })],
      byo,
      false,
      'Not enough Nodes are ready: 0 of 1 matching nodes are Ready with nvidia.com/gpu capacity',
      false,
    ],
  ])('%s', (_name, nodes, req, ready, message, permanent) => {
    expect(byoStatus(req, nodes)).toMatchObject({ ready, message, permanent });
  });

  it('never creates or deletes anything', async () => {
    const provisioner = createNodeProvisioner('byo', {
      cluster: { nodes: () => [] },
      nodeClaims: new FakeClaims(),
    });
    await expect(provisioner.provision(byo)).resolves.toBeUndefined();
    await expect(provisioner.release(byo.workspace)).resolves.toBe(true);
  });
});

describe('createNodeProvisioner', () => {
  const deps = { cluster: { nodes: () => [] }, nodeClaims: new FakeClaims() };
  it('refuses an unknown kind, naming the choices', () => {
    expect(() => createNodeProvisioner('gke', deps)).toThrow(
      new UsageError('unknown provisioner "gke"; choose one of nodeclaim, aks, byo'),
    );
  });
  it('refuses aks without the AKS cluster to manage, and builds it with one', () => {
    expect(() => createNodeProvisioner('aks', deps)).toThrow(
      /"aks" needs the Azure subscription, resource group and cluster name/,
    );
    const aks = { resourceGroup: 'rg', clusterName: 'aks-1', client: { agentPools: {} as never } };
    expect(createNodeProvisioner('aks', { ...deps, aks }).kind).toBe('aks');
  });
});
