/**
 * The README's guarantees through `kaito-gitops sync`, against the real `git http-backend` server:
 * broken files keep their output in the deploy commit, an empty source removes nothing, files sync did
 * not write survive, a non-empty deploy path is not adopted silently, and the environment's failures
 * (a silent server, a damaged cache, concurrent processes, signals) end in one line with exit 3 or 130,
 * or recover.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { BREAKAGES } from '../../support/broken-files.ts';
import { runCli } from '../../support/cli.ts';
import {
  Checkout,
  GIT_PASSWORD,
  GIT_USER,
  git,
  startGitRemote,
  syncFlags,
  type GitRemote,
} from '../../support/git-remote.ts';

const repo = join(import.meta.dirname, '..', '..', '..');
const entry = join(repo, 'src', 'cli', 'main.ts');
const EXAMPLES = join(repo, 'gitops', 'workspaces');
const PHI = 'workspace-phi-3-mini';
const env = { KAITO_GITOPS_GIT_USERNAME: GIT_USER, KAITO_GITOPS_GIT_PASSWORD: GIT_PASSWORD };
const SECRET = 'webhook-secret-0123456789';

let remote: GitRemote;
let author: Checkout;
let deployer: Checkout;
let phi: string;
let tuning: string;
let counter = 0;

/** A fresh source and deploy repository pair for one test. */
async function repos(): Promise<{ source: string; deploy: string }> {
  counter++;
  const source = `models-${counter}.git`;
  const deploy = `deploy-${counter}.git`;
  await remote.createRepo(source);
  await remote.createRepo(deploy);
  author = await Checkout.create(remote, source, `author-${counter}`);
  deployer = await Checkout.create(remote, deploy, `deployer-${counter}`, 'deploy');
  await author.change(
    { 'gitops/workspaces/phi-3-mini.yaml': phi, 'gitops/workspaces/phi-3-tuning.yaml': tuning },
    'two workspaces',
  );
  return { source, deploy };
}

/** The sync flags for a pair of repositories; a cache directory of its own unless `cache` is null. */
const flags = (r: { source: string; deploy: string }, cache: string | null = `cache-${counter}`) =>
  syncFlags(remote, { ...r, ...(cache === null ? {} : { cacheDir: join(remote.root, 'caches', cache) }) });

/** Path → blob id of every file under `clusters/prod` on the deploy branch. */
async function deployed(r: { deploy: string }): Promise<Map<string, string>> {
  const out = await git(remote.bare(r.deploy), 'ls-tree', '-r', 'deploy', '--', 'clusters/prod');
  return new Map(
    out
      .trim()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [meta = '', path = ''] = line.split('\t');
        return [path, meta.split(' ')[2] ?? ''];
      }),
  );
}

beforeAll(async () => {
  remote = await startGitRemote();
  phi = await readFile(join(EXAMPLES, 'phi-3-mini.yaml'), 'utf8');
  tuning = await readFile(join(EXAMPLES, 'phi-3-tuning.yaml'), 'utf8');
});
afterAll(async () => {
  await remote.close();
});

describe('sync: a broken file keeps what it produced in the deploy commit', () => {
  it('every kind of broken file, one spec each, in one commit', async () => {
    // One Workspace per breakage, each in its own file: rendered, then all broken at once.
    const r = await repos();
    const name = (i: number) => `ws-broken-${i}`;
    const specOf = (i: number) => phi.replaceAll(PHI, name(i));
    await author.change(
      Object.fromEntries(BREAKAGES.map((_, i) => [`gitops/workspaces/broken-${i}.yaml`, specOf(i)])),
      'one spec per breakage',
    );
    expect((await runCli([...flags(r), '--once'], remote.root, env)).code).toBe(0);
    const filesOf = (files: Map<string, string>, i: number) =>
      [...files].filter(([path]) => path.includes(`/${name(i)}/`)).sort(([a], [b]) => (a < b ? -1 : 1));
    const before = await deployed(r);
    await author.change(
      Object.fromEntries(
        BREAKAGES.map(([, breakIt], i) => [
          `gitops/workspaces/broken-${i}.yaml`,
          breakIt(specOf(i), name(i)),
        ]),
      ),
      'break them all',
    );
    const run = await runCli([...flags(r), '--once', '-o', 'json'], remote.root, env);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as { workspaces: { name: string; status: string }[] };
    const after = await deployed(r);
    BREAKAGES.forEach(([breakage], i) => {
      expect({ breakage, status: result.workspaces.find((w) => w.name === name(i))?.status }).toEqual({
        breakage,
        status: 'kept',
      });
      expect(filesOf(after, i).length).toBeGreaterThan(2);
      expect({ breakage, files: filesOf(after, i) }).toEqual({ breakage, files: filesOf(before, i) });
    });
  });
});

describe('sync: what the source says', () => {
  it('an empty source removes nothing (exit 1) until --allow-empty', async () => {
    const r = await repos();
    expect((await runCli([...flags(r), '--once'], remote.root, env)).code).toBe(0);
    const before = await deployed(r);
    await author.change(
      {
        'gitops/workspaces/phi-3-mini.yaml': null,
        'gitops/workspaces/phi-3-tuning.yaml': null,
        'README.md': 'x',
      },
      'empty the specs',
    );
    const refused = await runCli([...flags(r), '--once'], remote.root, env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^gitops\/workspaces: holds no Workspace, .*--allow-empty$/m);
    expect(await deployed(r)).toEqual(before);
    const allowed = await runCli([...flags(r), '--once', '--allow-empty'], remote.root, env);
    expect(allowed.code).toBe(0);
    // The emptied shard stays, empty, so the unit pointing at it prunes instead of failing on a missing path.
    const after = await deployed(r);
    expect([...after.keys()]).toEqual([
      'clusters/prod/inventory.json',
      'clusters/prod/kustomization.yaml',
      'clusters/prod/shards/default/kustomization.yaml',
    ]);
    const shard = await git(
      remote.bare(r.deploy),
      'show',
      'deploy:clusters/prod/shards/default/kustomization.yaml',
    );
    expect(shard).not.toMatch(/workspaces\//);
  });
});

describe('sync: files it did not write', () => {
  it('survive ten passes, and the deploy commits say nothing about them', async () => {
    const r = await repos();
    expect((await runCli([...flags(r), '--once'], remote.root, env)).code).toBe(0);
    const mine = {
      'clusters/prod/README.md': '# prod\n',
      'clusters/prod/flux-system/gotk-sync.yaml': 'kind: Kustomization\n',
      [`clusters/prod/workspaces/default/${PHI}/patch.yaml`]: 'extra: patch\n',
    };
    await deployer.change(mine, 'hand-written files');
    for (let i = 0; i < 10; i++) {
      const spec = i % 2 === 0 ? phi.replace('apps: phi-3', `apps: phi-3-v${i}`) : i % 4 === 1 ? null : phi;
      await author.change({ 'gitops/workspaces/phi-3-mini.yaml': spec }, `edit ${i}`);
      expect((await runCli([...flags(r), '--once'], remote.root, env)).code).toBe(0);
    }
    for (const [path, text] of Object.entries(mine)) {
      expect(await git(remote.bare(r.deploy), 'show', `deploy:${path}`)).toBe(text);
    }
    const log = await git(remote.bare(r.deploy), 'log', '--format=%B', 'deploy');
    expect(log).not.toMatch(/README|flux-system|patch\.yaml/);
  });

  it('a deploy path with files and no inventory is not adopted without --adopt', async () => {
    const r = await repos();
    await deployer.change(
      { 'clusters/prod/kustomization.yaml': 'resources: [mine.yaml]\n', 'clusters/prod/mine.yaml': 'x: 1\n' },
      'theirs',
    );
    const refused = await runCli([...flags(r), '--once'], remote.root, env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /--target-path clusters\/prod on deploy holds 2 files but no inventory\.json.*--adopt/,
    );
    const collides = await runCli([...flags(r), '--once', '--adopt'], remote.root, env);
    expect(collides.code).toBe(3);
    expect(collides.stderr).toMatch(
      /clusters\/prod\/kustomization\.yaml on deploy is there already and kaito-gitops did not write it/,
    );
    await deployer.change({ 'clusters/prod/kustomization.yaml': null }, 'make room');
    expect((await runCli([...flags(r), '--once', '--adopt'], remote.root, env)).code).toBe(0);
    expect(await git(remote.bare(r.deploy), 'show', 'deploy:clusters/prod/mine.yaml')).toBe('x: 1\n');
  });

  it('checks --target-path before any fetch, and wants one of --once, --interval, --listen', async () => {
    const unreachable = ['sync', '--source', 'http://127.0.0.1:9/x.git'];
    const escaping = await runCli([...unreachable, '--target-path', '../up', '--once'], remote.root, {});
    expect(escaping.code).toBe(2);
    expect(escaping.stderr).toMatch(
      /^kaito-gitops sync: --target-path must be a directory inside the repository/,
    );
    const modeless = await runCli(unreachable, remote.root, {});
    expect(modeless.code).toBe(2);
    expect(modeless.stderr).toMatch(/--once \(one pass\), --interval DURATION \(poll\) or --listen/);
  });
});

describe('sync: the environment', () => {
  let silent: Server;
  let silentUrl: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts every connection and never answers.
    silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/models.git`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('a git server that never answers: exit 3 within the timeouts, one line naming the URL and its role', async () => {
    const started = Date.now();
    const run = await runProcess(
      [
        'sync',
        '--source',
        silentUrl,
        '--once',
        '--git-timeout',
        '1s',
        '--max-attempts',
        '2',
        '--cache-dir',
        join(remote.root, 'caches', 'silent'),
      ],
      {},
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.code).toBe(3);
    const lines = run.stderr
      .trimEnd()
      .split('\n')
      .filter((line) => !line.startsWith('{'));
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^kaito-gitops sync: sync to ${escape(silentUrl)} deploy failed after 2 attempts; last: the target ${escape(silentUrl)}: .*no answer within 1s`,
        ),
      ),
    ]);
  });

  it('SIGTERM during a pass: exit 130 at once, nothing pushed', async () => {
    const child = spawn(
      process.execPath,
      [entry, 'sync', '--source', silentUrl, '--once', '--cache-dir', join(remote.root, 'caches', 'sigterm')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Wait until the request hangs on the silent server.
    const seen = sockets.length;
    while (sockets.length === seen) await new Promise((resolve) => setTimeout(resolve, 20));
    const sent = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    expect(Date.now() - sent).toBeLessThan(3000);
    expect(stderr).toMatch(/^kaito-gitops sync: stopped by a signal; nothing was pushed$/m);
  });

  it('a damaged clone cache is moved aside and cloned again', async () => {
    const r = await repos();
    const cache = join(remote.root, 'caches', 'damaged');
    const args = [...flags(r, 'damaged'), '--once'];
    expect((await runCli(args, remote.root, env)).code).toBe(0);
    let truncated = 0;
    for (const entry of await readdir(cache, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.pack')) {
        await truncate(join(entry.parentPath, entry.name), 64);
        truncated++;
      }
    }
    expect(truncated).toBeGreaterThan(0);
    await author.change(
      { 'gitops/workspaces/phi-3-mini.yaml': phi.replace('apps: phi-3', 'apps: phi-3-x') },
      'relabel',
    );
    const run = await runCli(args, remote.root, env);
    expect(run.stderr).toContain('the clone cache looks damaged; moved it aside, cloning again');
    expect(run.code).toBe(0);
    expect(
      await git(
        remote.bare(r.deploy),
        'show',
        `deploy:clusters/prod/workspaces/default/${PHI}/deployment-${PHI}.yaml`,
      ),
    ).toContain('phi-3-x');
  });

  it('ten processes sharing the default cache all succeed', async () => {
    const r = await repos();
    const home = join(remote.root, 'home-concurrent');
    const runs = await Promise.all(
      Array.from({ length: 10 }, () =>
        runProcess([...flags(r, null), '--once'], { ...env, XDG_CACHE_HOME: home }),
      ),
    );
    expect(runs.map((run) => run.code)).toEqual(Array(10).fill(0));
    expect(
      (await readdir(join(home, 'kaito-gitops', 'sync'))).filter((name) => name.endsWith('.lock')),
    ).toEqual([]);
  });

  it('--interval alone keeps polling until SIGTERM, then exits 0', async () => {
    const r = await repos();
    const child = spawn(process.execPath, [entry, ...flags(r, 'interval'), '--interval', '300ms'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const passes = () => stdout.split('\n').filter((line) => line.includes('"sync finished"')).length;
    await until(() => passes() >= 1);
    const sha = await author.change(
      { 'gitops/workspaces/phi-3-mini.yaml': phi.replace('apps: phi-3', 'apps: phi-3-poll') },
      'poll me',
    );
    // Found by polling alone, then still polling several intervals later.
    await until(() => stdout.includes(`"msg":"deploy commit pushed","sourceCommit":"${sha}"`), 20_000);
    const later = passes() + 3;
    await until(() => passes() >= later, 20_000);
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('sync --listen: failed passes and redeliveries', () => {
  it('retries a failed pass without --interval, and a redelivery of a failed delivery syncs', async () => {
    const r = await repos();
    const password = join(remote.root, `password-${counter}`);
    await writeFile(password, 'wrong-password');
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let out = '';
    const exited = main([...flags(r), '--listen', '127.0.0.1:0'], {
      stdout: (text) => void (out += text),
      stderr: (text) => void (out += text),
      env: {
        KAITO_GITOPS_GIT_USERNAME: GIT_USER,
        KAITO_GITOPS_GIT_PASSWORD_FILE: password,
        KAITO_GITOPS_WEBHOOK_SECRET: SECRET,
      },
      cwd: remote.root,
      stopped,
    });
    try {
      await until(() => /"msg":"sync failed"/.test(out));
      const base = /"address":"(http:[^"]+)"/.exec(out)?.[1] ?? '';
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      expect((await fetch(`${base}/healthz`, { method: 'HEAD' })).status).toBe(200);

      // The credentials are fixed: the pass is tried again by itself, with no webhook and no --interval.
      await writeFile(password, GIT_PASSWORD);
      await until(() => fetch(`${base}/readyz`).then((res) => res.status === 200), 15_000);

      // A delivery whose pass fails (502) is not done: its redelivery syncs.
      await writeFile(password, 'wrong-again');
      const sha = await author.change(
        { 'gitops/workspaces/phi-3-mini.yaml': phi.replace('apps: phi-3', 'apps: phi-3-hook') },
        'relabel',
      );
      const push = () => webhook(base, { ref: 'refs/heads/main', after: sha }, 'delivery-1');
      expect((await push()).status).toBe(502);
      expect((await push()).status).toBe(502);
      await writeFile(password, GIT_PASSWORD);
      const redelivered = await push();
      expect(redelivered.status).toBe(200);
      expect(await redelivered.json()).toMatchObject({ status: 'pushed', sourceCommit: sha });
      expect(await (await push()).json()).toMatchObject({ status: 'duplicate delivery' });

      // A body declared over the limit is refused before it is read: the answer comes with no body sent.
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = request(`${base}/webhook`, {
          method: 'POST',
          headers: { 'X-GitHub-Event': 'push', 'Content-Length': String(4 * 1024 * 1024) },
        });
        req.on('response', (res) => resolve(res.statusCode));
        req.on('error', reject);
        req.flushHeaders();
      });
      expect(status).toBe(413);
    } finally {
      stop();
      expect(await exited).toBe(0);
    }
  });
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function webhook(base: string, body: object, delivery: string): Promise<Response> {
  const payload = JSON.stringify(body);
  return fetch(`${base}/webhook`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': delivery,
      'X-Hub-Signature-256': `sha256=${createHmac('sha256', SECRET).update(payload).digest('hex')}`,
    },
    body: payload,
  });
}

async function runProcess(
  args: string[],
  extraEnv: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [entry, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', ...extraEnv },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stderr };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
