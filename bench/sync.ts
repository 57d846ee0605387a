/**
 * Sync benchmark. A source repository with 1,000 workspaces (the bundled specs, renamed, over ten
 * namespaces) behind `git http-backend`; the sync server (engine, loop, webhook) in this process.
 * For each of 20 one-spec changes: the time from the signed webhook to its answer, which comes when
 * the deploy commit is pushed; then, as the reference in the same run, the same pass with the git CLI
 * doing fetch, commit and push around the same incremental render. Every deploy commit is checked to
 * touch only the changed workspace's directory.
 */
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir, unlink } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import git from 'isomorphic-git';
import * as fs from 'node:fs';
import { readCatalog } from '../src/catalog/index.ts';
import { hydrate, type SourceFile } from '../src/pipeline.ts';
import { GitMirror } from '../src/sync/git-mirror.ts';
import { directoryOf } from '../src/sync/git-objects.ts';
import { IncrementalRenderer } from '../src/sync/incremental-renderer.ts';
import {
  Redactor,
  SyncEngine,
  SyncLoop,
  SyncMetrics,
  createSyncServer,
  startGitHttpServer,
} from '../src/sync/index.ts';
import { silentLogger } from '../src/observe/index.ts';
import { renderStamped } from '../src/sync/stamp.ts';

const run = promisify(execFile);
const EXAMPLES = join(import.meta.dirname, '..', 'gitops', 'workspaces');
const USER = 'bench';
const PASSWORD = 'bench-password-1234';
const SECRET = 'bench-webhook-secret';

export interface BenchRow {
  name: string;
  p50_ms: number;
  p95_ms: number;
  runs: number;
}

export async function benchSync(changes = 20, workspaces = 1000): Promise<BenchRow[]> {
  const root = await mkdtemp(join(tmpdir(), 'kaito-gitops-bench-sync-'));
  const repos = join(root, 'repos');
  await mkdir(repos);
  for (const name of ['models.git', 'deploy.git'])
    await git.init({ fs, gitdir: join(repos, name), bare: true });
  const server = await startGitHttpServer({ root: repos, users: { [USER]: PASSWORD } });
  const credentials = () => Promise.resolve({ username: USER, password: PASSWORD });
  const sourceUrl = `${server.url}/models.git`;
  const deployUrl = `${server.url}/deploy.git`;
  const authed = (url: string) => url.replace('://', `://${USER}:${PASSWORD}@`);
  const catalog = await readCatalog();
  try {
    // The author side: a source tree in memory, committed and pushed with isomorphic-git.
    const specs = await generateSpecs(workspaces);
    const author = await GitMirror.open(join(root, 'author'), sourceUrl, credentials);
    let sourceTip: string | undefined;
    let sourceTreeOid: string | undefined;
    const pushSource = async (message: string) => {
      const tree = directoryOf(new Map([...specs].map(([path, text]) => [`specs/${path}`, text])));
      await author.writeDirectory(tree, sourceTreeOid);
      const commit = await author.commit({
        tree: tree.oid,
        parent: sourceTip,
        message,
        author: { name: 'dev', email: 'dev@example.com' },
        now: new Date(),
      });
      const pushed = await author.push('main', commit, sourceTip);
      if (!pushed.ok) throw new Error(`source push failed: ${pushed.detail}`);
      sourceTip = commit;
      sourceTreeOid = tree.oid;
      return commit;
    };
    await pushSource('seed');

    const engine = new SyncEngine(
      {
        source: { url: sourceUrl, ref: 'main', path: 'specs' },
        target: { url: deployUrl, branch: 'deploy', path: 'clusters/prod' },
        cacheDir: join(root, 'cache'),
      },
      {
        render: hydrate,
        catalog,
        credentials: { source: credentials, target: credentials },
        redactor: new Redactor([PASSWORD]),
        logger: silentLogger,
      },
    );
    const loop = new SyncLoop(engine, new SyncMetrics(), silentLogger, sourceUrl);
    const http = createSyncServer({
      loop,
      metrics: new SyncMetrics(),
      logger: silentLogger,
      sourceRef: 'main',
      webhookSecret: SECRET,
      waitMs: 120_000,
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    const webhook = `http://127.0.0.1:${(http.address() as AddressInfo).port}/webhook`;

    // The reference: working clones driven by the git CLI, the same render.
    const cli = await cliPass(root, authed(sourceUrl), authed(deployUrl), catalog, sourceUrl);

    let started = performance.now();
    const first = await loop.trigger('seed');
    if (!first.ok) throw first.error;
    const firstMs = performance.now() - started;
    started = performance.now();
    await cli.pass();
    const firstReferenceMs = performance.now() - started;

    const iso: number[] = [];
    const ref: number[] = [];
    for (let i = 0; i < changes; i++) {
      const index = (i * 37) % workspaces;
      const path = [...specs.keys()][index] ?? '';
      specs.set(
        path,
        (specs.get(path) ?? '').replace(
          /\n {2}namespace: (team-\d)/,
          `\n  namespace: $1\n  labels:\n    bench: change-${i}`,
        ),
      );
      const sha = await pushSource(`change ${i}`);
      const before = await git.resolveRef({
        fs,
        gitdir: join(repos, 'deploy.git'),
        ref: 'refs/heads/deploy',
      });
      const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
      started = performance.now();
      const res = await fetch(webhook, {
        method: 'POST',
        headers: {
          'X-GitHub-Event': 'push',
          'X-GitHub-Delivery': `bench-${i}`,
          'X-Hub-Signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
        },
        body,
      });
      iso.push(performance.now() - started);
      const answer = (await res.json()) as { status: string; changed: number; deployCommit: string };
      if (res.status !== 200 || answer.status !== 'pushed' || answer.changed !== 1) {
        throw new Error(`change ${i}: webhook answered ${res.status} ${JSON.stringify(answer)}`);
      }
      await onlyTouched(join(repos, 'deploy.git'), before, answer.deployCommit, path);
      const t = performance.now();
      await cli.pass();
      ref.push(performance.now() - t);
    }
    await new Promise<void>((resolve) => http.close(() => resolve()));
    return [
      { name: `first sync of ${workspaces} workspaces`, ...stats([firstMs]) },
      {
        name: `reference: the first pass with the git CLI (clone, commit, push)`,
        ...stats([firstReferenceMs]),
      },
      { name: `one-spec change among ${workspaces} (webhook → pushed)`, ...stats(iso) },
      { name: `reference: the same pass with the git CLI for fetch/commit/push`, ...stats(ref) },
    ];
  } finally {
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
}

/** `n` specs cycling through the bundled examples, renamed and spread over ten namespaces. */
export async function generateSpecs(n: number): Promise<Map<string, string>> {
  const examples = await Promise.all(
    ['phi-3-mini.yaml', 'phi-3-adapter.yaml', 'phi-3-tuning.yaml'].map((f) =>
      readFile(join(EXAMPLES, f), 'utf8'),
    ),
  );
  const specs = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const id = `ws-${String(i).padStart(4, '0')}`;
    const text = (examples[i % examples.length] ?? '').replace(
      /name: (workspace-[a-z0-9-]+)/,
      `name: ${id}\n  namespace: team-${i % 10}`,
    );
    specs.set(`${id}.yaml`, text);
  }
  return specs;
}

/** Throws unless `after` differs from `before` only inside the changed spec's workspace directory. */
async function onlyTouched(gitdir: string, before: string, after: string, specPath: string): Promise<void> {
  const { stdout } = await run('git', ['-C', gitdir, 'diff', '--name-only', before, after]);
  const id = specPath.replace(/\.yaml$/, '');
  const paths = stdout.trim().split('\n');
  if (
    paths.length === 0 ||
    !paths.every((p) => new RegExp(`^clusters/prod/workspaces/team-\\d/${id}/`).test(p))
  ) {
    throw new Error(`deploy commit ${after} changed more than ${id}: ${paths.join(', ')}`);
  }
}

/** One sync pass the classic way: git CLI clones, files on disk, the same incremental render. */
async function cliPass(
  root: string,
  source: string,
  deploy: string,
  catalog: Awaited<ReturnType<typeof readCatalog>>,
  repository: string,
) {
  const src = join(root, 'cli-source');
  const dst = join(root, 'cli-deploy');
  const g = (cwd: string, ...args: string[]) =>
    run('git', args, {
      cwd,
      maxBuffer: 256 * 1024 * 1024,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'kaito-gitops',
        GIT_AUTHOR_EMAIL: 'k@example.com',
        GIT_COMMITTER_NAME: 'kaito-gitops',
        GIT_COMMITTER_EMAIL: 'k@example.com',
      },
    });
  await g(root, 'clone', '-q', '--branch', 'main', source, src);
  await mkdir(dst);
  await g(dst, 'init', '-q', '-b', 'deploy-cli');
  const renderer = new IncrementalRenderer(hydrate);
  let previous = new Map<string, string>();
  let first = true;
  return {
    async pass() {
      await g(src, 'pull', '-q', '--ff-only', 'origin', 'main');
      if (!first) await g(dst, 'pull', '-q', '--ff-only', deploy, 'deploy-cli');
      const sha = (await g(src, 'rev-parse', 'HEAD')).stdout.trim();
      const { stdout } = await g(src, 'ls-files', 'specs');
      const files: SourceFile[] = await Promise.all(
        stdout
          .trim()
          .split('\n')
          .map(async (p) => ({
            path: p.slice('specs/'.length),
            content: await readFile(join(src, p), 'utf8'),
          })),
      );
      const options = { catalog, previous };
      const result = renderStamped(renderer.render, files, {
        ...options,
        stamp: { repository, path: 'specs', commit: sha },
      });
      for (const [path, text] of result.tree) {
        if (previous.get(path) === text) continue;
        const full = join(dst, 'clusters/prod', path);
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, text);
      }
      for (const path of previous.keys())
        if (!result.tree.has(path)) await unlink(join(dst, 'clusters/prod', path));
      await g(dst, 'add', '-A', 'clusters/prod');
      await g(dst, 'commit', '-q', '-m', `hydrate: ${sha}`, '-m', `Source-Commit: ${sha}`);
      await g(dst, 'push', '-q', deploy, 'HEAD:refs/heads/deploy-cli');
      renderer.accept(files, options, result);
      previous = new Map(result.tree);
      first = false;
    },
  };
}

function stats(samples: number[]): { p50_ms: number; p95_ms: number; runs: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { p50_ms: Math.round(at(0.5)), p95_ms: Math.round(at(0.95)), runs: samples.length };
}

if (import.meta.main) {
  const rows = await benchSync(Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 1000));
  console.log('| pass | p50 (ms) | p95 (ms) | runs |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.name} | ${row.p50_ms} | ${row.p95_ms} | ${row.runs} |`);
}
