/** `kaito-gitops agent` end to end: flags → kubeconfig file → leader → status written → clean stop. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { startKubeApiServer } from '../../support/kube-api-server/index.ts';
import type { KubeApiServer } from '../../support/kube-api-server/index.ts';
import { main } from '../../../src/cli/main.ts';

let server: KubeApiServer;
let dir: string;
beforeAll(async () => {
  server = await startKubeApiServer();
  dir = await mkdtemp(join(tmpdir(), 'agent-cli-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

it('runs the agent from the command line until it is stopped', async () => {
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, server.kubeConfig().exportConfig());
  await server
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
        metadata: { name: 'cli', namespace: 'default' },
        resource: { labelSelector: { matchLabels: { apps: 'cli' } } },
        inference: { preset: { name: 'phi-3-mini-4k-instruct' } },
      },
    });
  let stop: () => void = () => undefined;
  const stderr: string[] = [];
  const exit = main(
    [
      'agent',
      '--provisioner',
      'byo',
      '--kubeconfig',
      kubeconfig,
      '--metrics-addr',
      '127.0.0.1:0',
      '--lease-namespace',
      'default',
    ],
    {
      stdout: () => undefined,
      stderr: (text) => stderr.push(text),
      env: {},
      cwd: process.cwd(),
      stopped: new Promise<void>((resolve) => (stop = resolve)),
    },
  );
  await vi.waitFor(
    () => {
      const status = server.get('kaito.sh/v1beta1', 'Workspace', 'cli', 'default')?.status as
        { conditions?: { type: string; message: string }[] } | undefined;
      expect(status?.conditions?.find((c) => c.type === 'ResourceReady')?.message).toBe(
        'No nodes found matching the specified label selector',
      );
    },
    { timeout: 10_000 },
  );
  stop();
  expect(await exit).toBe(0);
  const logs = stderr
    .join('')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { msg: string });
  expect(logs.map((l) => l.msg)).toEqual(
    expect.arrayContaining(['agent started', 'became leader', 'agent stopped']),
  );
  const lease = server.get('coordination.k8s.io/v1', 'Lease', 'kaito-gitops-agent', 'default');
  expect((lease?.spec as { holderIdentity?: string }).holderIdentity).toBe('');
});

it('starts without the Azure SDKs, cdk8s or the pipeline (they load only where they are used)', async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    await import(${JSON.stringify(new URL('../../../src/cli/agent.ts', import.meta.url).href)});
    console.log(JSON.stringify(loaded));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  const loaded = JSON.parse(stdout) as string[];
  expect(loaded.some((url) => url.includes('/src/agent/'))).toBe(true);
  for (const heavy of [
    '/@azure/',
    '/cdk8s',
    '/src/synth/',
    '/src/render/',
    '/src/install/',
    'isomorphic-git',
  ])
    expect(loaded.filter((url) => url.includes(heavy))).toEqual([]);
});
