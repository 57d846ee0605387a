import { createHmac } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startService, type Service } from '../../src/sync/service.ts';
import type { SyncResult } from '../../src/sync/index.ts';
import { git, startGitServer, type GitServer } from '../support/git-server.ts';
import { PASSWORD, USER, read, scratchDir, seedSource, type SourceRepo } from './sync-support.ts';
import { syncerFor } from './sync-support.ts';

const SECRET = 'webhook-secret-for-tests';
let server: GitServer;
let scratch: string;
let source: SourceRepo;
let service: Service;
const passes: (SyncResult | Error)[] = [];
const logs: string[] = [];
let waiters: (() => void)[] = [];

function nextPass(): Promise<void> {
  return new Promise((resolve) => waiters.push(resolve));
}

beforeAll(async () => {
  server = await startGitServer({ username: USER, password: PASSWORD });
  scratch = await scratchDir();
  source = await seedSource(server, 'hooks', scratch);
  const first = nextPass();
  service = await startService({
    syncer: await syncerFor(source.url, scratch),
    sourceRef: 'main',
    intervalMs: 3_600_000,
    listen: { host: '127.0.0.1', port: 0 },
    webhookSecret: SECRET,
    log: (event) => logs.push(JSON.stringify(event)),
    onPass: (outcome) => {
      passes.push(outcome);
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve();
    },
  });
  await first;
});
afterAll(async () => {
  await service.stop();
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

async function deliver(body: object, options: { delivery: string; signature?: string; event?: string }) {
  const raw = JSON.stringify(body);
  const signature = options.signature ?? `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
  return fetch(`${service.url}/webhook`, {
    method: 'POST',
    body: raw,
    headers: {
      'Content-Type': 'application/json',
      'X-GitHub-Event': options.event ?? 'push',
      'X-GitHub-Delivery': options.delivery,
      'X-Hub-Signature-256': signature,
    },
  });
}

const deployCommits = async () => Number((await git(source.bare, 'rev-list', '--count', 'deploy')).trim());

it('is ready after the first pass and serves health and metrics', async () => {
  expect(passes[0]).toMatchObject({ pushed: true });
  expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  expect(metrics).toContain('kaito_gitops_syncs_total{result="success"} 1');
  expect(metrics).toContain('kaito_gitops_sync_duration_seconds_count 1');
  expect(metrics).toMatch(/kaito_gitops_last_synced_info\{source_sha="[0-9a-f]{40}"\} 1/);
});

it('refuses a wrong or missing signature with 401 and syncs nothing', async () => {
  const spec = await read(join(source.work, 'gitops/workspaces/phi-3-mini.yaml'));
  const sha = await source.change({
    'gitops/workspaces/phi-3-mini.yaml': spec.replace('apps: phi-3', 'apps: hook-1'),
  });
  const before = passes.length;
  const body = { ref: 'refs/heads/main', after: sha };
  expect((await deliver(body, { delivery: 'd-bad', signature: 'sha256=' + '0'.repeat(64) })).status).toBe(
    401,
  );
  expect((await deliver(body, { delivery: 'd-none', signature: '' })).status).toBe(401);
  expect(passes.length).toBe(before);
  expect(await deployCommits()).toBe(1);
});

it('ignores other refs, syncs a push at once, and a replayed delivery or a burst adds no duplicate commit', async () => {
  const sha = (await git(source.work, 'rev-parse', 'HEAD')).trim();
  const other = await deliver({ ref: 'refs/heads/deploy', after: sha }, { delivery: 'd-other' });
  expect(other.status).toBe(202);
  expect(await other.json()).toMatchObject({ ignored: expect.stringContaining('not refs/heads/main') });

  const synced = nextPass();
  const accepted = await deliver({ ref: 'refs/heads/main', after: sha }, { delivery: 'd-1' });
  expect(accepted.status).toBe(202);
  await synced;
  expect(passes.at(-1)).toMatchObject({ sourceCommit: sha, pushed: true });
  expect(await deployCommits()).toBe(2);

  const replay = await deliver({ ref: 'refs/heads/main', after: sha }, { delivery: 'd-1' });
  expect(await replay.json()).toMatchObject({ ignored: expect.stringContaining('already received') });
  const again = await deliver({ ref: 'refs/heads/main', after: sha }, { delivery: 'd-2' });
  expect(await again.json()).toMatchObject({ ignored: expect.stringContaining('already hydrated') });

  // A burst of deliveries for a new commit: one or two passes (one running, one coalesced), one commit.
  const spec = await read(join(source.work, 'gitops/workspaces/phi-3-mini.yaml'));
  const next = await source.change({ 'gitops/workspaces/phi-3-mini.yaml': spec.replace('hook-1', 'hook-2') });
  const before = passes.length;
  const burst = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      deliver({ ref: 'refs/heads/main', after: next }, { delivery: `b-${i}` }),
    ),
  );
  expect(burst.every((r) => r.status === 202)).toBe(true);
  while (!passes.slice(before).some((p) => !(p instanceof Error) && p.sourceCommit === next))
    await nextPass();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(passes.length - before).toBeLessThanOrEqual(2);
  expect(await deployCommits()).toBe(3);
  expect(logs.join('\n')).not.toContain(PASSWORD);
});
