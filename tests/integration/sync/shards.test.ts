/**
 * Sticky shards through `sync --once` against `git http-backend`: a deploy path written with the
 * hash-split layout is taken over without moving anything; new workspaces fill its shards before one
 * opens (and the run says so); an emptied shard stays until `--retire-empty-shards`; `--flux-units`
 * writes one Flux Kustomization per shard, and they stay on passes without the flag.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  Checkout,
  GIT_PASSWORD,
  GIT_USER,
  git,
  startGitRemote,
  syncFlags,
  type GitRemote,
} from '../../support/git-remote.ts';
import { runCli } from '../../support/cli.ts';
import { shardSpecs } from '../../support/shard-specs.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/main-shards');
const PATH = 'clusters/prod';
const env = { KAITO_GITOPS_GIT_USERNAME: GIT_USER, KAITO_GITOPS_GIT_PASSWORD: GIT_PASSWORD };

let remote: GitRemote;
let author: Checkout;
let deployer: Checkout;

beforeAll(async () => {
  remote = await startGitRemote();
  await remote.createRepo('models.git');
  await remote.createRepo('deploy.git');
  author = await Checkout.create(remote, 'models.git', 'author');
  deployer = await Checkout.create(remote, 'deploy.git', 'deployer', 'deploy');
  const specs = [...shardSpecs('default', 110), ...shardSpecs('team-a', 3)];
  await author.change(
    Object.fromEntries(specs.map((spec) => [`gitops/workspaces/${spec.path}`, spec.content])),
    '113 workspaces',
  );
});

afterAll(async () => {
  await remote.close();
});

const sync = (...extra: string[]) =>
  runCli(
    [...syncFlags(remote, { targetPath: PATH, cacheDir: join(remote.root, 'cache') }), '--once', ...extra],
    remote.root,
    env,
  );
const bare = () => remote.bare('deploy.git');
const show = async (path: string) => git(bare(), 'show', `deploy:${PATH}/${path}`);
const changedSince = async (commit: string) =>
  (await git(bare(), 'diff', '--name-only', commit, 'deploy')).split('\n').filter(Boolean);
const deployFiles = async () =>
  (await git(bare(), 'ls-tree', '-r', '--name-only', 'deploy', `${PATH}/`))
    .split('\n')
    .filter(Boolean)
    .map((path) => path.slice(PATH.length + 1));
const listed = async (shard: string) =>
  (YAML.parse(await show(`shards/${shard}/kustomization.yaml`)) as { resources: string[] }).resources.map(
    (dir) => dir.replace('../../workspaces/', ''),
  );

describe('sync over a deploy path of the hash-split layout', () => {
  let legacy: string;
  const legacyShards = ['default.0', 'default.10', 'default.11', 'team-a'];

  it('takes it over without moving anything: only the inventory changes', async () => {
    expect((await sync()).code).toBe(0);
    // What the older layout would have left there: its shard kustomizations, root and inventory.
    const layout: Record<string, string | null> = {};
    for (const path of await deployFiles()) if (path.startsWith('shards/')) layout[`${PATH}/${path}`] = null;
    for (const entry of await readdir(FIXTURE, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || entry.name === 'README.md') continue;
      const path = join(entry.parentPath, entry.name).slice(FIXTURE.length + 1);
      layout[`${PATH}/${path}`] = await readFile(join(FIXTURE, path), 'utf8');
    }
    legacy = await deployer.change(layout, 'the deploy path as the hash-split layout wrote it');

    const run = await sync();
    expect(run.code).toBe(0);
    expect(await changedSince(legacy)).toEqual([`${PATH}/inventory.json`]);
    expect(run.stdout).not.toContain('new shard');
  });

  it('fills those shards before it opens one, moves nobody, and says so', async () => {
    const before = Object.fromEntries(
      await Promise.all(legacyShards.map(async (shard) => [shard, await listed(shard)] as const)),
    );
    await author.change(
      Object.fromEntries(
        shardSpecs('default', 44, 500).map((s) => [`gitops/workspaces/${s.path}`, s.content]),
      ),
      '44 more',
    );
    const run = await sync('--flux-units');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "new shard default.1 (shards/<shard>): Flux applies it through flux-units/, and Argo CD's shard ApplicationSet finds it",
    );
    for (const shard of legacyShards) {
      const now = await listed(shard);
      expect(now).toEqual(expect.arrayContaining(before[shard] ?? []));
      if (shard !== 'team-a') expect(now).toHaveLength(50);
    }
    // 110 + 44 in default: the three shards take 40 more, the last 4 open default.1.
    expect(await listed('default.1')).toEqual([540, 541, 542, 543].map((n) => `default/ws-${n}`));
    expect(await git(bare(), 'log', '-1', '--format=%B', 'deploy')).toContain('Opened shards: default.1');
    expect((await deployFiles()).filter((path) => path.startsWith('flux-units/'))).toEqual([
      'flux-units/default.0.yaml',
      'flux-units/default.1.yaml',
      'flux-units/default.10.yaml',
      'flux-units/default.11.yaml',
      'flux-units/kustomization.yaml',
      'flux-units/team-a.yaml',
    ]);
  });

  it('keeps an emptied shard and its Flux unit, and retires it only when asked', async () => {
    await author.change(
      Object.fromEntries([540, 541, 542, 543].map((n) => [`gitops/workspaces/default/ws-${n}.yaml`, null])),
      'drop the four newest',
    );
    const emptied = await sync('-o', 'json');
    expect(emptied.code).toBe(0);
    expect(JSON.parse(emptied.stdout).shards).toEqual({ opened: [], retired: [], fluxUnits: true });
    expect(await listed('default.1')).toEqual([]);
    expect(await deployFiles()).toContain('flux-units/default.1.yaml'); // no --flux-units: they stay

    const retired = await sync('--retire-empty-shards');
    expect(retired.code).toBe(0);
    expect(retired.stdout).toContain(
      'retired shard default.1: the root Flux Kustomization prunes their units',
    );
    const files = await deployFiles();
    expect(files.filter((path) => path.includes('default.1/') || path.includes('default.1.yaml'))).toEqual(
      [],
    );
    expect(YAML.parse(await show('kustomization.yaml')).resources).toEqual(
      legacyShards.map((shard) => `shards/${shard}`),
    );
  });
});
