import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog, type Catalog } from '../../../src/catalog/index.ts';
import { hydrate } from '../../../src/pipeline.ts';
import { Redactor } from '../../../src/sync/credentials.ts';
import { SyncEngine } from '../../../src/sync/engine.ts';
import type { SyncConfig } from '../../../src/sync/sync-config.ts';
import { jsonLogger } from '../../../src/observe/index.ts';
import { SOURCE_COMMIT_ANNOTATION, SOURCE_PATH_ANNOTATION } from '../../../src/sync/stamp.ts';
import {
  Checkout,
  GIT_PASSWORD,
  GIT_USER,
  git,
  startGitRemote,
  type GitRemote,
} from '../../support/git-remote.ts';
import { kustomizeBuild, requireKubectl } from '../../support/kustomize.ts';

const EXAMPLES = join(import.meta.dirname, '../../../gitops/workspaces');

let remote: GitRemote;
let catalog: Catalog;
let kubectl: string;
let author: Checkout;
let examples: Record<string, string>;
const logs: string[] = [];

beforeAll(async () => {
  [remote, catalog, kubectl] = await Promise.all([startGitRemote(), readCatalog(), requireKubectl()]);
  await remote.createRepo('models.git');
  await remote.createRepo('deploy.git');
  examples = {};
  for (const name of (await readdir(EXAMPLES)).filter((n) => n.endsWith('.yaml'))) {
    examples[`gitops/workspaces/${name}`] = await readFile(join(EXAMPLES, name), 'utf8');
  }
  author = await Checkout.create(remote, 'models.git', 'author');
  await author.change({ ...examples, 'README.md': '# models\n' }, 'add the example workspaces');
});

afterAll(async () => {
  await remote.close();
});

function engine(name: string, overrides: Partial<SyncConfig> = {}): SyncEngine {
  const redactor = new Redactor([GIT_PASSWORD]);
  const credentials = () => Promise.resolve({ username: GIT_USER, password: GIT_PASSWORD });
  return new SyncEngine(
    {
      source: { url: remote.url('models.git'), ref: 'main', path: 'gitops/workspaces' },
      target: { url: remote.url('deploy.git'), branch: 'deploy', path: 'clusters/prod' },
      cacheDir: join(remote.root, 'cache', name),
      backoffMs: 5,
      ...overrides,
    },
    {
      render: hydrate,
      catalog,
      credentials: { source: credentials, target: credentials },
      redactor,
      logger: jsonLogger((line) => logs.push(line), redactor),
    },
  );
}

async function deployCheckout(name: string): Promise<string> {
  const dir = await remote.scratch(name);
  await git(dir, 'clone', '-q', '--branch', 'deploy', remote.authedUrl('deploy.git'), '.');
  return dir;
}

describe('sync against a real git server', () => {
  const sync = () => engine('main');
  let first: SyncEngine;

  it('creates the deploy branch with the rendered tree, and the tree builds with kustomize', async () => {
    first = sync();
    const result = await first.sync();
    expect(result.outcome).toBe('pushed');
    expect(result.errors).toEqual([]);
    const dir = await deployCheckout('first');
    const head = (await git(dir, 'rev-parse', 'HEAD')).trim();
    expect(head).toBe(result.deployCommit);
    const message = await git(dir, 'log', '-1', '--format=%B');
    expect(message).toMatch(
      new RegExp(
        `^hydrate: ${result.sourceCommit} \\(${result.workspaceCount} workspaces, ${result.changed} changed\\)`,
      ),
    );
    expect(await git(dir, 'log', '-1', '--format=%(trailers:key=Source-Commit,valueonly)')).toBe(
      `${result.sourceCommit}\n\n`,
    );
    await git(remote.bare('deploy.git'), 'fsck', '--strict', '--no-progress');
    const built = await kustomizeBuild(kubectl, join(dir, 'clusters/prod'));
    expect(built).toContain('kind: Workspace');
    const workspace = await readFile(
      join(dir, 'clusters/prod/workspaces/default/workspace-phi-3-mini/workspace-workspace-phi-3-mini.yaml'),
      'utf8',
    );
    expect(workspace).toContain(`${SOURCE_COMMIT_ANNOTATION}: ${result.sourceCommit}`);
    expect(workspace).toContain(`${SOURCE_PATH_ANNOTATION}: gitops/workspaces/phi-3-mini.yaml`);
  });

  it('makes no commit when the source did not change, even from a fresh clone', async () => {
    const before = (await git(remote.bare('deploy.git'), 'rev-parse', 'deploy')).trim();
    expect((await first.sync()).outcome).toBe('unchanged');
    expect((await engine('fresh').sync()).outcome).toBe('unchanged');
    expect((await git(remote.bare('deploy.git'), 'rev-parse', 'deploy')).trim()).toBe(before);
  });

  it("a one-spec change touches only that workspace and keeps the others' stamps", async () => {
    const before = (await git(remote.bare('deploy.git'), 'rev-parse', 'deploy')).trim();
    const spec = examples['gitops/workspaces/phi-3-mini.yaml']!.replace('apps: phi-3', 'apps: phi-3-changed');
    const sha = await author.change({ 'gitops/workspaces/phi-3-mini.yaml': spec }, 'relabel phi-3 mini');
    const result = await first.sync();
    expect(result).toMatchObject({ outcome: 'pushed', sourceCommit: sha, changed: 1 });
    const changed = (await git(remote.bare('deploy.git'), 'diff', '--name-only', before, 'deploy'))
      .trim()
      .split('\n');
    expect(changed.length).toBeGreaterThan(0);
    expect(
      changed.every((path) => path.startsWith('clusters/prod/workspaces/default/workspace-phi-3-mini/')),
    ).toBe(true);
    expect(first.renderCounts.partial).toBeGreaterThan(0);
    // The push carried what the pass created, not the tree: the changed files, the trees above them
    // (workspace, namespace, workspaces/, the deploy path, the root) and the commit.
    const pushedLog = JSON.parse(
      logs.filter((line) => line.includes('deploy commit pushed')).at(-1) ?? '{}',
    ) as {
      objects?: number;
    };
    expect(pushedLog.objects).toBeGreaterThanOrEqual(changed.length + 6);
    expect(pushedLog.objects).toBeLessThanOrEqual(changed.length + 8);
    await git(remote.bare('deploy.git'), 'fsck', '--strict', '--no-progress');
    const dir = await deployCheckout('one-change');
    const other = await readFile(
      join(
        dir,
        'clusters/prod/workspaces/default/workspace-phi-3-mini-adapter/workspace-workspace-phi-3-mini-adapter.yaml',
      ),
      'utf8',
    );
    expect(other).not.toContain(sha);
  });

  it('an invalid spec keeps its last output, the others still sync, and the error is in the commit message', async () => {
    const before = (await git(remote.bare('deploy.git'), 'rev-parse', 'deploy')).trim();
    const broken = examples['gitops/workspaces/phi-3-mini.yaml']!.replace(
      'phi-3-mini-4k-instruct',
      'phi-9-nope',
    );
    const fresh = examples['gitops/workspaces/phi-3-mini.yaml']!.replace(
      'name: workspace-phi-3-mini',
      'name: workspace-phi-3-new',
    );
    await author.change(
      { 'gitops/workspaces/phi-3-mini.yaml': broken, 'gitops/workspaces/phi-3-new.yaml': fresh },
      'break one, add one',
    );
    const result = await first.sync();
    expect(result.outcome).toBe('pushed');
    expect(result.errors.map((e) => e.file)).toEqual(['gitops/workspaces/phi-3-mini.yaml']);
    expect(result.workspaces).toContainEqual(
      expect.objectContaining({ name: 'workspace-phi-3-mini', status: 'kept' }),
    );
    const changed = (await git(remote.bare('deploy.git'), 'diff', '--name-only', before, 'deploy'))
      .trim()
      .split('\n');
    expect(changed.some((p) => p.includes('workspace-phi-3-mini/'))).toBe(false);
    expect(changed.some((p) => p.includes('workspace-phi-3-new/'))).toBe(true);
    expect(await git(remote.bare('deploy.git'), 'log', '-1', '--format=%B', 'deploy')).toContain(
      'phi-9-nope',
    );
  });

  it('a deleted spec removes its directory', async () => {
    await author.change({ 'gitops/workspaces/phi-3-new.yaml': null }, 'drop the new one');
    const result = await first.sync();
    expect(result.workspaces).toContainEqual(
      expect.objectContaining({ name: 'workspace-phi-3-new', status: 'removed' }),
    );
    const tree = await git(remote.bare('deploy.git'), 'ls-tree', '-r', '--name-only', 'deploy');
    expect(tree).not.toContain('workspace-phi-3-new/');
    expect(tree).toContain('workspace-phi-3-mini/');
  });
});
