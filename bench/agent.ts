/**
 * Agent benchmark: N Workspaces (BYO nodes already Ready, Deployments ready) against the in-process kube
 * API test server through the real client-node. Measures the time until every Workspace has Ready=True,
 * the peak RSS (server and agent share the process, so this is an upper bound for the agent), and the
 * API requests per Workspace at steady state over several resyncs (target: 0 writes).
 */
import { startKubeApiServer } from '../tests/support/kube-api-server/index.ts';
import { startAgent } from '../src/agent/agent.ts';
import { readCatalog } from '../src/catalog/index.ts';

export interface AgentBenchResult {
  workspaces: number;
  convergeMs: number;
  peakRssMiB: number;
  steadyStateResyncs: number;
  writesPerWorkspace: number;
  requestsPerWorkspace: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchAgent(count = 1000): Promise<AgentBenchResult> {
  const server = await startKubeApiServer({ bookmarkIntervalMs: 60_000 });
  const catalog = await readCatalog();
  for (let i = 0; i < count; i++) {
    const name = `ws-${i}`;
    server.seed({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: `node-${i}`,
        labels: {
          apps: name,
          'nvidia.com/gpu.product': 'Tesla-V100-PCIE-16GB',
          'nvidia.com/gpu.count': '1',
          'nvidia.com/gpu.memory': '16384',
        },
      },
      status: { conditions: [{ type: 'Ready', status: 'True' }], capacity: { 'nvidia.com/gpu': '1' } },
    });
    server.seed({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'default', labels: { 'kaito.sh/workspace': name } },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: {} },
      status: { replicas: 1, readyReplicas: 1 },
    });
    server.seed({
      apiVersion: 'kaito.sh/v1beta1',
      kind: 'Workspace',
      metadata: { name, namespace: 'default', generation: 1 },
      resource: { labelSelector: { matchLabels: { apps: name } } },
      inference: { preset: { name: 'phi-3-mini-4k-instruct' } },
    });
  }
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const resyncMs = 2000;
  const started = performance.now();
  const agent = await startAgent(
    server.kubeConfig(),
    {
      provisioner: 'byo',
      catalog,
      metrics: { host: '127.0.0.1', port: 0 },
      lease: { namespace: 'default', name: 'bench', identity: 'bench' },
      resyncMs,
      concurrency: 16,
    },
    { log: (level, m, f) => level === 'error' && console.error(m, f) },
  );
  const ready = (): number =>
    server
      .list('kaito.sh/v1beta1', 'Workspace', 'default')
      .filter((w) =>
        (
          (w.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []
        ).some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length;
  // Polled slowly: reading the test server clones every object, which competes with the agent for CPU.
  while (ready() < count) await sleep(500);
  const convergeMs = performance.now() - started;
  await agent.idle();
  server.requests.reset();
  const resyncs = 3;
  await sleep(resyncMs * resyncs + 500);
  await agent.idle();
  const snapshot = server.requests.snapshot();
  const writes = Object.entries(snapshot)
    .filter(([key]) => /^(create|update|patch|delete) /.test(key) && !key.includes('leases'))
    .reduce((sum, [, n]) => sum + n, 0);
  const requests = Object.entries(snapshot)
    .filter(([key]) => !key.includes('leases'))
    .reduce((sum, [, n]) => sum + n, 0);
  clearInterval(sampler);
  await agent.stop();
  await server.close();
  return {
    workspaces: count,
    convergeMs: Math.round(convergeMs),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    steadyStateResyncs: resyncs,
    writesPerWorkspace: writes / count,
    requestsPerWorkspace: requests / count,
  };
}

if (import.meta.main) {
  console.log(JSON.stringify(await benchAgent(Number(process.argv[2] ?? 1000)), null, 2));
}
