/**
 * Agent benchmark: the agent alone, in its own process, started the way the chart starts it
 * (`kaito-gitops agent` with the chart's NODE_OPTIONS and default concurrency; only the resync is
 * shortened, to observe steady state sooner), against the in-process Kubernetes API test server
 * holding N Workspaces with what a real cluster holds for each (bench/cluster-objects.ts: BYO node
 * Ready, Deployment ready, a Running pod). Measures the agent process's RSS (peak, from the kernel's
 * VmHWM) idle on an empty cluster and at N, the time from process start until every Workspace is
 * Ready=True, and the API requests per Workspace at steady state over several resyncs (target: 0 writes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentNodeOptions } from '../src/install/index.ts';
import { startKubeApiServer, type KubeApiServer } from '../tests/support/kube-api-server/index.ts';
import { workspaceObjects } from '../tests/support/cluster-objects.ts';

export interface AgentBenchResult {
  workspaces: number;
  /** RSS of the agent on an empty cluster, leading, caches synced. */
  idleRssMiB: number;
  /** Peak RSS of the agent process with N Workspaces (VmHWM). */
  peakRssMiB: number;
  /** Agent process start → every Workspace Ready=True. */
  readyMs: number;
  steadyStateResyncs: number;
  writesPerWorkspace: number;
  requestsPerWorkspace: number;
  /** What the agent ran with (the chart's NODE_OPTIONS). */
  nodeOptions: string;
}

const BIN = join(import.meta.dirname, '..', 'bin', 'kaito-gitops.js');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return Math.round(kib / 1024);
}

/** Starts `kaito-gitops agent` against `server`; resolves once it leads (its log says so). */
async function startAgentProcess(
  server: KubeApiServer,
  dir: string,
  resyncSeconds: number,
  nodeOptions: string,
) {
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, server.kubeConfig().exportConfig());
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      BIN,
      'agent',
      '--provisioner=byo',
      `--kubeconfig=${kubeconfig}`,
      '--metrics-addr=127.0.0.1:0',
      '--lease-namespace=default',
      `--resync=${resyncSeconds}`,
    ],
    { env: { ...process.env, NODE_OPTIONS: nodeOptions }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  while (!log.includes('"became leader"')) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the agent exited (${child.exitCode ?? child.signalCode}): ${log}`);
    await sleep(20);
  }
  return { child, started, nodeOptions, log: () => log };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function readyCount(server: KubeApiServer): number {
  return server
    .list('kaito.sh/v1beta1', 'Workspace')
    .filter((w) =>
      ((w.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some(
        (c) => c.type === 'Ready' && c.status === 'True',
      ),
    ).length;
}

/** `nodeOptions`: what the agent runs with. @default the chart's */
export async function benchAgent(count = 1000, nodeOptions = agentNodeOptions()): Promise<AgentBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'kaito-gitops-bench-agent-'));
  const resyncSeconds = 2;
  try {
    // Idle: an empty cluster.
    const empty = await startKubeApiServer({ bookmarkIntervalMs: 60_000 });
    const idle = await startAgentProcess(empty, dir, resyncSeconds, nodeOptions);
    await sleep(2000);
    const idleRssMiB = await procStatus(idle.child.pid ?? 0, 'VmHWM');
    await stop(idle.child);
    await empty.close();

    const server = await startKubeApiServer({ bookmarkIntervalMs: 60_000 });
    for (let i = 0; i < count; i++) for (const object of workspaceObjects(i)) server.seed(object);
    const agent = await startAgentProcess(server, dir, resyncSeconds, nodeOptions);
    // Polled slowly: reading the test server clones every object, which competes with the agent for CPU.
    while (readyCount(server) < count) {
      if (agent.child.exitCode !== null || agent.child.signalCode !== null)
        throw new Error(
          `the agent exited (${agent.child.exitCode ?? agent.child.signalCode}): ${agent.log()}`,
        );
      await sleep(250);
    }
    const readyMs = performance.now() - agent.started;
    await sleep(500);
    server.requests.reset();
    const resyncs = 3;
    await sleep(resyncSeconds * 1000 * resyncs + 500);
    const snapshot = server.requests.snapshot();
    const peakRssMiB = await procStatus(agent.child.pid ?? 0, 'VmHWM');
    await stop(agent.child);
    await server.close();
    const writes = Object.entries(snapshot)
      .filter(([key]) => /^(create|update|patch|delete) /.test(key) && !key.includes('leases'))
      .reduce((sum, [, n]) => sum + n, 0);
    const requests = Object.entries(snapshot)
      .filter(([key]) => !key.includes('leases'))
      .reduce((sum, [, n]) => sum + n, 0);
    return {
      workspaces: count,
      idleRssMiB,
      peakRssMiB,
      readyMs: Math.round(readyMs),
      steadyStateResyncs: resyncs,
      writesPerWorkspace: writes / count,
      requestsPerWorkspace: requests / count,
      nodeOptions: agent.nodeOptions,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const options = process.argv[3];
  console.log(JSON.stringify(await benchAgent(Number(process.argv[2] ?? 1000), options), null, 2));
}
