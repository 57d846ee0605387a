/**
 * The agent in a cluster that has (or had) Kaito, against the API test server serving Kaito v0.12's CRD
 * (which prunes `status.observedGeneration` as a real server does) or ours: zero writes at steady state
 * with either CRD, refusal to start beside Kaito's controller unless `coexist`, and `/readyz` that fails
 * while the API server is gone.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { workspaceCrd } from '../../../src/api/index.ts';
import { startAgent, type AgentConfig, type RunningAgent } from '../../../src/agent/agent.ts';
import { readCatalog } from '../../../src/catalog/index.ts';
import { RemoteRefusedError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/observe/index.ts';
import { kaitoControllerDeployment, kaitoWebhook, kaitoWorkspaceCrd } from '../../support/kaito-fixtures.ts';
import { workspaceDeployment, testAgentConfig } from '../../support/agent-config.ts';
import {
  startKubeApiServer,
  type KubeApiServer,
  type KubeObject,
} from '../../support/kube-api-server/index.ts';

const catalog = await readCatalog();
let server: KubeApiServer | undefined;
const agents: RunningAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.stop();
  await server?.close();
  server = undefined;
});

function config(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return testAgentConfig(
    catalog,
    { name: 'agent', identity: 'a-1' },
    { provisioner: 'byo', resyncMs: 200, ...overrides },
  );
}

async function agent(overrides: Partial<AgentConfig> = {}): Promise<RunningAgent> {
  const running = await startAgent(server!.kubeConfig(), config(overrides), silentLogger);
  agents.push(running);
  return running;
}

/** A BYO GPU node and a ready Deployment for the Workspace `name`: it can become Ready. */
function runnable(name: string): void {
  server!.seed({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: `node-${name}`,
      labels: {
        apps: name,
        'nvidia.com/gpu.product': 'Tesla-V100-PCIE-16GB',
        'nvidia.com/gpu.count': '1',
        'nvidia.com/gpu.memory': '16384',
      },
    },
    status: { conditions: [{ type: 'Ready', status: 'True' }], capacity: { 'nvidia.com/gpu': '1' } },
  });
  server!.seed(workspaceDeployment(name));
}

async function createWorkspace(name: string, labels: Record<string, string> = {}): Promise<void> {
  await server!
    .kubeConfig()
    .makeApiClient(k8s.CustomObjectsApi)
    .createNamespacedCustomObject({
      group: 'kaito.sh',
      version: 'v1beta1',
      plural: 'workspaces',
      namespace: 'default',
      body: {
        apiVersion: 'kaito.sh/v1beta1',
        kind: 'Workspace',
        metadata: { name, labels },
        resource: { labelSelector: { matchLabels: { apps: name } } },
        inference: { preset: { name: 'phi-3-mini-4k-instruct' } },
      },
    });
}

interface Status {
  conditions?: { type: string; status: string }[];
  observedGeneration?: number;
}
const status = (name: string): Status | undefined =>
  server!.get('kaito.sh/v1beta1', 'Workspace', name, 'default')?.['status'] as Status | undefined;
const ready = (name: string): boolean =>
  status(name)?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const statusWrites = (): number => server!.requests.snapshot()['patch workspaces.kaito.sh/status'] ?? 0;

describe.each([
  ["Kaito v0.12's CRD (no status.observedGeneration)", kaitoWorkspaceCrd, false],
  ['our CRD', () => workspaceCrd() as KubeObject, true],
] as const)('with %s installed', (_name, crd, keepsObservedGeneration) => {
  it('takes a Workspace to Ready, then writes nothing across resyncs, nor after a restart', async () => {
    server = await startKubeApiServer({ crds: [crd()], bookmarkIntervalMs: 200 });
    runnable('phi-3');
    await createWorkspace('phi-3');
    const first = await agent();
    await vi.waitFor(() => expect(ready('phi-3')).toBe(true), { timeout: 5000 });
    expect(status('phi-3')?.observedGeneration).toBe(keepsObservedGeneration ? 1 : undefined);
    await first.idle();
    await new Promise((resolve) => setTimeout(resolve, 400)); // the write's own event, reconciled
    let before = statusWrites();
    await new Promise((resolve) => setTimeout(resolve, 600)); // three resyncs
    await first.idle();
    expect(statusWrites() - before).toBe(0);

    // A new agent (an upgrade, a failover) knows what the CRD keeps before it writes anything.
    await first.stop();
    agents.splice(agents.indexOf(first), 1);
    before = statusWrites();
    const second = await agent({ lease: { ...config().lease, identity: 'a-2' } });
    await vi.waitFor(() => expect(second.isLeader()).toBe(true), { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 600));
    await second.idle();
    expect(statusWrites() - before).toBe(0);
  });
});

describe("beside Kaito's controller", () => {
  it('refuses to start, saying what it found and what to do', async () => {
    server = await startKubeApiServer({
      crds: [kaitoWorkspaceCrd()],
      namespaces: ['default', 'kaito-workspace'],
    });
    server.seed(kaitoControllerDeployment());
    server.seed(kaitoWebhook());
    const refused = startAgent(server.kubeConfig(), config(), silentLogger);
    await expect(refused).rejects.toThrow(RemoteRefusedError);
    await expect(refused).rejects.toThrow(
      /^Kaito's workspace controller is running in this cluster \(Deployment kaito-workspace\/kaito-workspace, webhook validation\.workspace\.kaito\.sh\).*--coexist/,
    );
    expect(server.requests.snapshot()['create leases.coordination.k8s.io']).toBeUndefined();
  });

  it('refuses to start beside another kaito-gitops agent (a second release in another namespace)', async () => {
    server = await startKubeApiServer({
      crds: [workspaceCrd() as KubeObject],
      namespaces: ['default', 'team-b'],
    });
    server.seed({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'kaito-gitops', namespace: 'team-b' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'agent' } },
        template: {
          spec: {
            containers: [
              {
                name: 'agent',
                image: 'ghcr.io/kaito-gitops/kaito-gitops:0.1.0',
                args: ['agent', '--provisioner=byo'],
              },
            ],
          },
        },
      },
    });
    await expect(startAgent(server.kubeConfig(), config(), silentLogger)).rejects.toThrow(
      'another kaito-gitops agent runs in this cluster (Deployment team-b/kaito-gitops)',
    );
  });

  it('with coexist, manages only the Workspaces kaito-gitops rendered, with its own finalizer', async () => {
    server = await startKubeApiServer({
      crds: [kaitoWorkspaceCrd()],
      namespaces: ['default', 'kaito-workspace'],
    });
    server.seed(kaitoControllerDeployment());
    runnable('ours');
    runnable('kaitos');
    await createWorkspace('ours', { 'app.kubernetes.io/managed-by': 'kaito-gitops' });
    await createWorkspace('kaitos');
    const running = await agent({ coexist: true });
    await vi.waitFor(() => expect(ready('ours')).toBe(true), { timeout: 5000 });
    await running.idle();
    const stored = (name: string) => server!.get('kaito.sh/v1beta1', 'Workspace', name, 'default')!;
    expect(stored('ours').metadata.finalizers).toEqual(['gitops.kaito.sh/finalizer']);
    expect(stored('kaitos').metadata.finalizers).toBeUndefined();
    expect(stored('kaitos')['status']).toBeUndefined();
  });
});

describe('/readyz', () => {
  it('is 200 once synced and 503 while the API server is unreachable', async () => {
    server = await startKubeApiServer({ crds: [workspaceCrd() as KubeObject] });
    const running = await agent();
    const readyz = async (): Promise<number> =>
      (await fetch(`http://127.0.0.1:${running.healthPort}/readyz`)).status;
    await vi.waitFor(async () => expect(await readyz()).toBe(200), { timeout: 5000 });
    await server.close();
    server = undefined;
    await vi.waitFor(async () => expect(await readyz()).toBe(503), { timeout: 5000 });
    const body = (await (await fetch(`http://127.0.0.1:${running.healthPort}/readyz`)).json()) as {
      reason: string;
    };
    expect(body.reason).toMatch(/API server has not answered|watches failing/);
  });
});
