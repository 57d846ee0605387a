/**
 * Sync benchmark: a source repository with 1,000 workspaces (generated from three bundled specs: their
 * presets/SKUs, ten namespaces), served by `git http-backend`. Measures the time from a webhook for a
 * one-spec change to the deploy commit being pushed (p50/p95 over the changes), and, as the reference,
 * the same pass with the git CLI doing pull, commit and push around the same hydrate. Checks that each
 * pass changes only the changed workspace's files.
 */
import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PRESETS_DIR, readCatalog } from '../src/catalog/index.ts';
import { hydrate } from '../src/pipeline.ts';
import { readTree, writeTree } from '../src/render/index.ts';
import { Syncer, type SyncResult } from '../src/sync/index.ts';
import { startService } from '../src/sync/service.ts';
import { authedUrl, createRepo, git, startGitServer } from '../tests/support/git-server.ts';

const WORKSPACES = 1000;
const SECRET = 'bench-secret';
const USER = 'bench';
const PASSWORD = 'bench-password';

export interface BenchRow {
  name: string;
  p50_ms: number;
  p95_ms: number;
  runs: number;
}

export async function benchSync(changes = 20): Promise<BenchRow[]> {
  const scratch = await mkdtemp(join(tmpdir(), 'kaito-gitops-bench-sync-'));
  const server = await startGitServer({ username: USER, password: PASSWORD });
  try {
    const bare = await createRepo(server, 'bench');
    const url = server.url('bench');
    const remote = authedUrl(url, USER, PASSWORD);
    const work = join(scratch, 'source');
    await mkdir(join(work, 'gitops/workspaces'), { recursive: true });
    await git(work, 'init', '-q', '-b', 'main');
    const templates = await bundledSpecs();
    for (let i = 0; i < WORKSPACES; i++) await writeFile(specPath(work, i), specText(templates, i, 0));
    await git(work, 'add', '-A');
    await git(work, 'commit', '-q', '-m', 'seed');
    await git(work, 'push', '-q', remote, 'main');

    const catalog = await readCatalog(DEFAULT_PRESETS_DIR);
    const syncer = new Syncer({
      source: url,
      sourceRef: 'main',
      sourcePath: 'gitops/workspaces',
      target: url,
      targetBranch: 'deploy',
      targetPath: 'clusters/prod',
      workDir: join(scratch, 'work'),
      catalog,
      credentials: { username: USER, password: PASSWORD },
    });
    let waiting: ((outcome: SyncResult | Error) => void) | undefined;
    const first = new Promise<SyncResult | Error>((resolve) => (waiting = resolve));
    const service = await startService({
      syncer,
      sourceRef: 'main',
      intervalMs: 3_600_000,
      listen: { host: '127.0.0.1', port: 0 },
      webhookSecret: SECRET,
      log: () => {},
      onPass: (outcome) => waiting?.(outcome),
    });
    const initial = await first;
    if (initial instanceof Error) throw initial;

    const webhook: number[] = [];
    for (let c = 1; c <= changes; c++) {
      const i = (c * 37) % WORKSPACES;
      await writeFile(specPath(work, i), specText(templates, i, c));
      await git(work, 'commit', '-q', '-am', `change ${c}`);
      await git(work, 'push', '-q', remote, 'main');
      const sha = (await git(work, 'rev-parse', 'HEAD')).trim();
      const done = new Promise<SyncResult | Error>((resolve) => (waiting = resolve));
      const started = performance.now();
      const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
      const response = await fetch(`${service.url}/webhook`, {
        method: 'POST',
        body,
        headers: {
          'X-GitHub-Event': 'push',
          'X-GitHub-Delivery': `bench-${c}`,
          'X-Hub-Signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
        },
      });
      if (response.status !== 202) throw new Error(`webhook answered ${response.status}`);
      const outcome = await done;
      webhook.push(performance.now() - started);
      if (outcome instanceof Error) throw outcome;
      assertOnly(outcome, i);
    }
    await service.stop();

    // Reference: the same pass around the git CLI (pull the source, hydrate, write, add, commit, push).
    const deploy = join(scratch, 'deploy-cli');
    await git(scratch, 'clone', '-q', '-b', 'deploy', remote, deploy);
    const reference: number[] = [];
    for (let c = changes + 1; c <= 2 * changes; c++) {
      const i = (c * 37) % WORKSPACES;
      await writeFile(specPath(work, i), specText(templates, i, c));
      await git(work, 'commit', '-q', '-am', `change ${c}`);
      await git(work, 'push', '-q', remote, 'main');
      const started = performance.now();
      await git(deploy, 'pull', '-q');
      const dir = join(work, 'gitops/workspaces');
      const files = await Promise.all(
        (await readdir(dir))
          .sort()
          .map(async (path) => ({ path, content: await readFile(join(dir, path), 'utf8') })),
      );
      const out = join(deploy, 'clusters/prod');
      const previous = readTree(out);
      const result = hydrate(files, { catalog, previous: previous.tree });
      writeTree(out, result.tree, previous.inventory);
      await git(deploy, 'add', '-A');
      await git(deploy, 'commit', '-q', '-m', `reference ${c}`);
      await git(deploy, 'push', '-q', 'origin', 'deploy');
      reference.push(performance.now() - started);
    }
    await git(bare, 'fsck', '--strict');
    return [
      row(`sync: webhook → deploy commit pushed (isomorphic-git, ${WORKSPACES} workspaces)`, webhook),
      row(`reference: same pass with the git CLI (pull, commit, push)`, reference),
    ];
  } finally {
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

function assertOnly(result: SyncResult, i: number): void {
  const dir = `workspaces/team-${i % 10}/ws-${String(i).padStart(4, '0')}/`;
  const stray = result.changed.filter((path) => !path.startsWith(dir));
  if (!result.pushed || result.changed.length === 0 || stray.length > 0) {
    throw new Error(`pass for workspace ${i} changed ${JSON.stringify(result.changed)}`);
  }
}

function row(name: string, samples: number[]): BenchRow {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN);
  return { name, p50_ms: at(0.5), p95_ms: at(0.95), runs: samples.length };
}

async function bundledSpecs(): Promise<string[]> {
  const dir = join(import.meta.dirname, '../gitops/workspaces');
  // The single-Workspace specs (the llama one carries a ConfigMap that 1,000 copies would clash on).
  const names = ['phi-3-adapter.yaml', 'phi-3-mini.yaml', 'phi-3-tuning.yaml'];
  return Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
}

function specPath(work: string, i: number): string {
  return join(work, 'gitops/workspaces', `ws-${String(i).padStart(4, '0')}.yaml`);
}

/** Spec `i` from template `i % 4`, renamed, in namespace `team-<i % 10>`; `version` changes one label. */
function specText(templates: readonly string[], i: number, version: number): string {
  const name = `ws-${String(i).padStart(4, '0')}`;
  const template = templates[i % templates.length] ?? '';
  return template.replace(
    /^(\s*)name: workspace-[\w-]+$/m,
    `$1name: ${name}\n$1namespace: team-${i % 10}\n$1labels:\n$1  bench-version: v${version}`,
  );
}

if (import.meta.main) {
  const rows = await benchSync(Number(process.env['BENCH_SYNC_CHANGES'] ?? 20));
  console.table(rows);
}
