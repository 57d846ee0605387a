import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readCatalog, type Catalog } from '../../../src/catalog/index.ts';
import { hydrate } from '../../../src/pipeline.ts';
import { Redactor } from '../../../src/sync/credentials.ts';
import { SyncEngine } from '../../../src/sync/engine.ts';
import type { SyncResult } from '../../../src/sync/sync-config.ts';
import { silentLogger } from '../../../src/observe/index.ts';
import {
  Checkout,
  GIT_PASSWORD,
  GIT_USER,
  git,
  startGitRemote,
  type GitRemote,
} from '../../support/git-remote.ts';

let remote: GitRemote;
let catalog: Catalog;
const PUSHERS = 8;
const SYNCERS = 12;

const spec = (i: number, version: number) => `apiVersion: kaito.sh/v1alpha1
kind: Workspace
metadata:
  name: model-${i}
resource:
  instanceType: Standard_NC6s_v3
  labelSelector:
    matchLabels:
      version: v${version}
inference:
  preset:
    name: phi-3-mini-4k-instruct
`;

beforeAll(async () => {
  [remote, catalog] = await Promise.all([startGitRemote(), readCatalog()]);
  await remote.createRepo('models.git');
  await remote.createRepo('deploy.git');
  const seed = await Checkout.create(remote, 'models.git', 'seed');
  const files: Record<string, string> = {};
  for (let i = 0; i < PUSHERS; i++) files[`specs/model-${i}.yaml`] = spec(i, 0);
  await seed.change(files, 'seed');
});

afterAll(async () => {
  await remote.close();
});

function engine(name: string): SyncEngine {
  const credentials = () => Promise.resolve({ username: GIT_USER, password: GIT_PASSWORD });
  return new SyncEngine(
    {
      source: { url: remote.url('models.git'), ref: 'main', path: 'specs' },
      target: { url: remote.url('deploy.git'), branch: 'deploy', path: 'clusters/prod' },
      cacheDir: join(remote.root, 'cache', name),
      maxAttempts: 40,
      backoffMs: 5,
      maxBackoffMs: 200,
    },
    {
      render: hydrate,
      catalog,
      credentials: { source: credentials, target: credentials },
      redactor: new Redactor([GIT_PASSWORD]),
      logger: silentLogger,
    },
  );
}

it('12 syncs racing 8 pushers on one deploy branch lose nothing, duplicate nothing and end on the newest source', async () => {
  const results: SyncResult[] = [];
  const pushers = Array.from({ length: PUSHERS }, async (_, i) => {
    const checkout = await Checkout.create(remote, 'models.git', `pusher-${i}`);
    await checkout.change({ [`specs/model-${i}.yaml`]: spec(i, 1) }, `model-${i} v1`);
  });
  // Syncers start spread over the pushes, each as its own process would (own mirror, own retries).
  const syncers = Array.from({ length: SYNCERS }, async (_, i) => {
    await new Promise((resolve) => setTimeout(resolve, i * 25));
    results.push(await engine(`syncer-${i}`).sync());
  });
  await Promise.all([...pushers, ...syncers]);
  // Whatever the interleaving, one more pass after the last push brings the branch to the newest source.
  results.push(await engine('syncer-0').sync());

  const bare = remote.bare('deploy.git');
  const head = (await git(remote.bare('models.git'), 'rev-parse', 'main')).trim();
  const log = (
    await git(bare, 'log', '--format=%H %P%x00%(trailers:key=Source-Commit,valueonly)%x01', 'deploy')
  )
    .split('\x01')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const commits = log.map((entry) => {
    const [ids = '', source = ''] = entry.split('\x00');
    const [id = '', ...parents] = ids.trim().split(' ');
    return { id, parents, source: source.trim() };
  });

  // Linear history (never forced), every pushed commit is in it, and each source commit at most once.
  expect(commits.every((c) => c.parents.length <= 1)).toBe(true);
  const ids = new Set(commits.map((c) => c.id));
  for (const r of results.filter((r) => r.outcome === 'pushed')) expect(ids.has(r.deployCommit)).toBe(true);
  const sources = commits.map((c) => c.source);
  expect(new Set(sources).size).toBe(sources.length);
  // The tip is the render of the newest source: its trailer, its content, and a fresh sync finds nothing to do.
  expect(commits[0]?.source).toBe(head);
  for (let i = 0; i < PUSHERS; i++) {
    const text = await git(
      bare,
      'show',
      `deploy:clusters/prod/workspaces/default/model-${i}/workspace-model-${i}.yaml`,
    );
    expect(text).toContain('version: v1');
  }

  const again = await engine('fresh').sync();
  expect(again).toMatchObject({ outcome: 'unchanged', sourceCommit: head, deployCommit: commits[0]?.id });
  await git(bare, 'fsck', '--strict', '--no-progress');
}, 120_000);
