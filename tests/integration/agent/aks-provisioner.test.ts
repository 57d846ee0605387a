/**
 * The `aks` backend through the real `@azure/arm-containerservice` client against the local ARM server:
 * the wire requests, the long-running operations it starts and never waits for, throttling, quota, a
 * restart in the middle of an operation, and garbage collection.
 */
import {
  ContainerServiceClient,
  type ContainerServiceClientOptionalParams,
} from '@azure/arm-containerservice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../../src/errors.ts';
import type { V1Node } from '@kubernetes/client-node';
import type { NodeRequest } from '../../../src/agent/node-provisioner.ts';
import { AksProvisioner, agentPoolName } from '../../../src/agent/provisioners/index.ts';
import { ArmServer } from '../../support/arm-server.ts';
import { gpuNode } from '../../unit/agent/fixtures.ts';

const SKU = 'Standard_NC24ads_A100_v4';
const credential = {
  getToken: () => Promise.resolve({ token: 'fake-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

let arm: ArmServer;
/** The agent's node cache, as the provisioner sees it. */
const nodes: { nodes: V1Node[] } = { nodes: [] };

beforeAll(async () => {
  arm = await ArmServer.start({ pageSize: 1 });
});
afterAll(async () => {
  await arm.close();
});

function client(options: ContainerServiceClientOptionalParams = {}): ContainerServiceClient {
  return new ContainerServiceClient(credential, 'sub-1', {
    endpoint: arm.endpoint,
    tlsOptions: { ca: arm.certPem },
    ...options,
  });
}

function provisioner(options: ContainerServiceClientOptionalParams = {}): AksProvisioner {
  return new AksProvisioner({
    client: client(options),
    resourceGroup: 'rg-1',
    clusterName: 'aks-1',
    cluster: { nodes: () => nodes.nodes },
  });
}

function request(name: string, overrides: Partial<NodeRequest> = {}): NodeRequest {
  return {
    workspace: { namespace: 'team-a', name },
    instanceType: SKU,
    nodes: 1,
    gpusPerNode: 1,
    matchLabels: { apps: name },
    diskGiB: 120,
    ...overrides,
  };
}

/** A node of an agent pool: AKS puts the pool's node labels on it. */
function poolNode(req: NodeRequest, nodeName: string, pool = agentPoolName(req.workspace)) {
  const labels = arm.pool(pool)?.properties['nodeLabels'] as Record<string, string>;
  return gpuNode(nodeName, { instanceType: req.instanceType!, labels });
}

/** Observe until the pool's operation is over (each status() advances it by one poll). */
async function settle(p: AksProvisioner, req: NodeRequest): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await p.status(req);
    const state = arm.pool(agentPoolName(req.workspace))?.properties['provisioningState'];
    if (state === undefined || state === 'Succeeded' || state === 'Failed') return;
  }
  throw new Error('the operation did not end');
}

describe('aks provisioner against the ARM server', () => {
  it('creates the agent pool with one PUT and does not wait for the operation', async () => {
    const req = request('phi-3', { nodeImageFamily: 'azurelinux' });
    const name = agentPoolName(req.workspace);
    const p = provisioner();
    arm.hold();
    await p.provision(req);

    const puts = arm.writes('PUT', name);
    expect(puts).toHaveLength(1);
    expect(puts[0]!.path).toBe(
      `/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.ContainerService/managedClusters/aks-1/agentPools/${name}`,
    );
    expect(puts[0]!.apiVersion).toBe('2026-04-01');
    expect(puts[0]!.authorization).toBe('Bearer fake-token');
    expect(puts[0]!.body).toEqual({
      properties: {
        count: 1,
        vmSize: SKU,
        mode: 'User',
        osType: 'Linux',
        osSKU: 'AzureLinux',
        osDiskSizeGB: 120,
        type: 'VirtualMachineScaleSets',
        nodeLabels: {
          apps: 'phi-3',
          'kaito.sh/workspace': 'phi-3',
          'kaito.sh/workspacenamespace': 'team-a',
          'kaito-gitops.io/agent-pool': name,
          'kaito.sh/machine-type': 'gpu',
        },
        nodeTaints: ['sku=gpu:NoSchedule'],
      },
    });
    // provision() returned while ARM still reports the operation running.
    expect(arm.pool(name)?.properties['provisioningState']).toBe('Creating');

    const creating = await p.status(req);
    expect(creating).toMatchObject({ ready: false, permanent: false, reason: 'NodeNotReady' });
    expect(creating.message).toContain(`agent pool ${name} is Creating (1 × ${SKU})`);

    arm.release();
    await settle(p, req);
    expect(arm.pool(name)?.properties['provisioningState']).toBe('Succeeded');
    nodes.nodes.push(poolNode(req, 'aks-phi3-0'));
    const ready = await p.status(req);
    expect(ready).toMatchObject({ ready: true, readyNodes: ['aks-phi3-0'], permanent: false });

    await p.provision(req);
    expect(arm.writes('PUT', name)).toHaveLength(1); // nothing to change, nothing written
  });

  it('scales the pool when the node count changes', async () => {
    const req = request('scale-me');
    const name = agentPoolName(req.workspace);
    const p = provisioner();
    await p.provision(req);
    await settle(p, req);
    const bigger = { ...req, nodes: 3 };
    await p.provision(bigger);
    expect(arm.pool(name)?.properties).toMatchObject({ count: 3, provisioningState: 'Scaling' });
    await p.provision(bigger); // still scaling: no second write
    expect(arm.writes('PUT', name)).toHaveLength(2);
    await settle(p, bigger);
    expect(arm.pool(name)?.properties).toMatchObject({ count: 3, provisioningState: 'Succeeded' });
  });

  it('deletes the pool on release and reports true once it is gone', async () => {
    const req = request('delete-me');
    const name = agentPoolName(req.workspace);
    const p = provisioner();
    await p.provision(req);
    await settle(p, req);
    arm.hold();
    expect(await p.release(req.workspace)).toBe(false);
    expect(arm.pool(name)?.properties['provisioningState']).toBe('Deleting');
    expect(await p.release(req.workspace)).toBe(false);
    expect(arm.writes('DELETE', name)).toHaveLength(1);
    arm.release();
    let gone = false;
    for (let i = 0; i < 5 && !gone; i++) gone = await p.release(req.workspace);
    expect(gone).toBe(true);
    expect(arm.pool(name)).toBeUndefined();
    expect(arm.writes('DELETE', name)).toHaveLength(1);
  });

  it('recreates the pool when the VM size changes, which AKS cannot do in place', async () => {
    const req = request('resize-me');
    const name = agentPoolName(req.workspace);
    const p = provisioner();
    await p.provision(req);
    await settle(p, req);
    const resized = { ...req, instanceType: 'Standard_NC48ads_A100_v4' };
    await p.provision(resized);
    expect(arm.writes('PUT', name)).toHaveLength(1);
    expect(arm.writes('DELETE', name)).toHaveLength(1);
    await settle(p, resized);
    expect(arm.pool(name)).toBeUndefined();
    await p.provision(resized);
    expect(arm.pool(name)?.properties).toMatchObject({
      vmSize: 'Standard_NC48ads_A100_v4',
      provisioningState: 'Creating',
    });
  });

  it('waits as long as ARM asks on 429 and retries (measured)', async () => {
    const req = request('throttled');
    const name = agentPoolName(req.workspace);
    arm.throttle(1, 1, 'PUT');
    await provisioner().provision(req);
    const puts = arm.writes('PUT', name);
    expect(puts.map((r) => r.status)).toEqual([429, 201]);
    const waited = puts[1]!.at - puts[0]!.at;
    console.log(`SDK retried a 429 with Retry-After: 1 after ${waited.toFixed(0)} ms`);
    expect(waited).toBeGreaterThanOrEqual(1000);
  });

  it('surfaces throttling that outlasts the SDK retries as a TransientError with ARM’s Retry-After', async () => {
    const req = request('throttled-hard');
    arm.throttle(2, 1, 'GET');
    const error = await provisioner({ retryOptions: { maxRetries: 1 } })
      .provision(req)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(TransientError);
    const transient = error as TransientError;
    expect(transient.retryAfterSeconds).toBe(1);
    expect(transient.message).toContain('HTTP 429 TooManyRequests: The request is being throttled');
    expect(transient.message).toContain('ARM asks to retry after 1 s');
  });

  it('retries 5xx with backoff inside the SDK', async () => {
    const req = request('flaky');
    const name = agentPoolName(req.workspace);
    arm.failNext('PUT', 503, {
      code: 'ServiceUnavailable',
      message: 'The service is temporarily unavailable.',
    });
    await provisioner({ retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 } }).provision(req);
    expect(arm.writes('PUT', name).map((r) => r.status)).toEqual([503, 201]);
  });

  it.each([
    [
      'QuotaExceeded',
      400,
      'Operation could not be completed as it results in exceeding approved standardNCADSA100v4Family Cores quota. Current Limit: 0, Current Usage: 0, Additional Required: 24.',
    ],
    [
      'OperationNotAllowed',
      409,
      'Operation could not be completed as it results in exceeding approved Total Regional Cores quota. Current Limit: 10.',
    ],
  ])(
    'reports a %s refusal (HTTP %i) as permanent with ARM’s message verbatim',
    async (code, status, message) => {
      const req = request(`quota-${status}`);
      const p = provisioner();
      arm.failNext('PUT', status, { code, message });
      await p.provision(req); // a refusal is not an exception: the Workspace goes Stalled
      const result = await p.status(req);
      expect(result).toMatchObject({ ready: false, permanent: true, reason: 'QuotaExceeded' });
      expect(result.message).toBe(
        `Azure refused agent pool ${agentPoolName(req.workspace)}: ${code}: ${message}`,
      );
    },
  );

  it('reports a quota failure of the operation itself as permanent with ARM’s message verbatim', async () => {
    const req = request('quota-async');
    const p = provisioner();
    const message =
      'Insufficient regional vcpu quota left for location eastus. left regional vcpu quota 0, requested quota 24.';
    arm.failNextOperation({ code: 'InsufficientVCPUQuota', message });
    await p.provision(req);
    await settle(p, req);
    const result = await p.status(req);
    expect(result).toMatchObject({ ready: false, permanent: true, reason: 'QuotaExceeded' });
    expect(result.message).toBe(
      `agent pool ${agentPoolName(req.workspace)} failed: InsufficientVCPUQuota: ${message}`,
    );
  });

  it('is refused like AKS refuses node labels in the kubernetes.io and k8s.io namespaces', async () => {
    const put = (labels: Record<string, string>) =>
      client()
        .agentPools.createOrUpdate(
          'rg-1',
          'aks-1',
          'labels',
          { count: 1, vmSize: SKU, mode: 'User', nodeLabels: labels },
          { updateIntervalInMs: 1 },
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );
    const refused = await put({ apps: 'x', 'app.kubernetes.io/managed-by': 'kaito-gitops' });
    expect(refused).toMatchObject({ name: 'RestError', statusCode: 400, code: 'BadRequest' });
    expect((refused as Error).message).toMatch(
      /^For Kubernetes version greater than or equal to 1\.16, node label keys in the 'kubernetes\.io' or 'k8s\.io' namespace must begin with an allowed prefix/,
    );
    expect(arm.pool('labels')).toBeUndefined();
    expect(await put({ 'node.kubernetes.io/lifecycle': 'normal', 'kubernetes.io/os': 'linux' })).toBe(
      undefined,
    );
  });

  it('stalls a Workspace whose labelSelector AKS refuses, with AKS’s message', async () => {
    const req = request('role-label', { matchLabels: { 'node-role.kubernetes.io/gpu': 'true' } });
    const p = provisioner();
    await p.provision(req);
    const result = await p.status(req);
    expect(result).toMatchObject({ ready: false, permanent: true, reason: 'AgentPoolFailed' });
    expect(result.message).toContain(
      `Azure refused agent pool ${agentPoolName(req.workspace)}: BadRequest: For Kubernetes version greater than or equal to 1.16, node label keys in the 'kubernetes.io' or 'k8s.io' namespace`,
    );
  });

  it('counts the nodes of its own pool only, not Kaito’s nodes for the same Workspace', async () => {
    const req = request('moved-from-kaito');
    const p = provisioner();
    await p.provision(req);
    await settle(p, req);
    // gpu-provisioner's node for one of Kaito's NodeClaims: Kaito's labels, the same Workspace.
    nodes.nodes.push(
      gpuNode('aks-ws1a2b3c4d5-0', {
        instanceType: SKU,
        labels: {
          ...req.matchLabels,
          'karpenter.sh/nodepool': 'kaito',
          'kaito.sh/workspace': req.workspace.name,
          'kaito.sh/workspacenamespace': req.workspace.namespace,
        },
      }),
    );
    expect(await p.status(req)).toMatchObject({ ready: false, readyNodes: [] });
    nodes.nodes.push(poolNode(req, 'aks-moved-0'));
    expect(await p.status(req)).toMatchObject({ ready: true, readyNodes: ['aks-moved-0'] });
  });

  it('resumes an operation started before a restart instead of writing again', async () => {
    const req = request('restart');
    const name = agentPoolName(req.workspace);
    arm.hold();
    await provisioner().provision(req);
    // A new agent process: new client, no memory of the operation.
    const restarted = provisioner();
    await restarted.provision({ ...req, nodes: 2 });
    await restarted.provision({ ...req, nodes: 2 });
    expect(arm.writes('PUT', name)).toHaveLength(1);
    expect((await restarted.status(req)).message).toContain('is Creating');
    arm.release();
    await settle(restarted, req);
    await restarted.provision({ ...req, nodes: 2 });
    expect(arm.writes('PUT', name)).toHaveLength(2);
    expect(arm.pool(name)?.properties).toMatchObject({ count: 2, provisioningState: 'Scaling' });
  });

  it('treats a 409 for an operation in progress as "already on its way"', async () => {
    const req = request('conflict');
    const p = provisioner();
    arm.failNext('PUT', 409, {
      code: 'OperationNotAllowed',
      message: "Operation is not allowed because there's an in progress create node pool operation.",
    });
    await p.provision(req);
    const result = await p.status(req);
    expect(result).toMatchObject({ ready: false, permanent: false });
  });

  it('garbage-collects the pools of Workspaces that no longer exist, and only those', async () => {
    const keep = request('gc-keep');
    const orphanA = request('gc-orphan-a');
    const orphanB = request('gc-orphan-b', { workspace: { namespace: 'team-b', name: 'gc-orphan-b' } });
    const p = provisioner();
    for (const req of [keep, orphanA, orphanB]) {
      await p.provision(req);
      await settle(p, req);
    }
    // A pool someone else made, without kaito-gitops labels, and one gpu-provisioner made for one of
    // Kaito's NodeClaims of a Workspace that is gone (Kaito's labels, named after the NodeClaim).
    await client().agentPools.createOrUpdate(
      'rg-1',
      'aks-1',
      'userpool',
      { count: 1, vmSize: 'Standard_D4s_v5', mode: 'User' },
      { updateIntervalInMs: 1 },
    );
    await client().agentPools.createOrUpdate(
      'rg-1',
      'aks-1',
      'ws1a2b3c4d5',
      {
        count: 1,
        vmSize: SKU,
        mode: 'User',
        nodeLabels: {
          'karpenter.sh/nodepool': 'kaito',
          'kaito.sh/workspace': 'gc-kaito',
          'kaito.sh/workspacenamespace': 'team-a',
        },
      },
      { updateIntervalInMs: 1 },
    );

    const live = arm
      .pools()
      .map((pool) => pool.properties['nodeLabels'] as Record<string, string> | undefined)
      .filter(
        (labels) =>
          labels?.['kaito.sh/workspace'] !== undefined && !labels['kaito.sh/workspace'].startsWith('gc-'),
      )
      .map((labels) => ({
        namespace: labels!['kaito.sh/workspacenamespace']!,
        name: labels!['kaito.sh/workspace']!,
      }));
    const deleted = await p.collectGarbage([...live, keep.workspace]);

    expect(deleted).toEqual([agentPoolName(orphanA.workspace), agentPoolName(orphanB.workspace)].sort());
    expect(arm.pool(agentPoolName(keep.workspace))?.properties['provisioningState']).toBe('Succeeded');
    expect(arm.pool('userpool')?.properties['provisioningState']).toBe('Succeeded');
    expect(arm.pool('ws1a2b3c4d5')?.properties['provisioningState']).toBe('Succeeded');
    expect(arm.requests.some((r) => r.path.endsWith('/agentPools') && r.method === 'GET')).toBe(true);
    // pageSize 1: the SDK followed nextLink through every page.
    expect(arm.requests.filter((r) => r.path.endsWith('/agentPools')).length).toBeGreaterThan(3);
  });
});
