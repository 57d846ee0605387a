/**
 * The `npx cdk8s synth` route (cdk8s.yaml), run with the real cdk8s CLI: the same tree as
 * `kaito-gitops synth`, and the same guarantees although the cdk8s CLI empties its output directory
 * first: a refused spec keeps its last good output (from the copy kept after the last run, or from the
 * output committed at git HEAD, hand-written files included), and an empty source removes nothing.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readTree } from '../../src/render/index.ts';
import { runCli } from '../support/cli.ts';
import { git } from '../support/git-remote.ts';
import { shardSpecs } from '../support/shard-specs.ts';
import { snapshot } from '../support/snapshot.ts';

const exec = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
const cdk8s = join(repo, 'node_modules', '.bin', 'cdk8s');
const PHI = 'workspaces/default/workspace-phi-3-mini/';
let work: string;
let project: string;
let cache: string;

/** `npx cdk8s synth` in `project`, as the README says to run it. */
async function cdk8sSynth(): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(cdk8s, ['synth', '--no-check-upgrade'], {
      cwd: project,
      env: { PATH: process.env['PATH'] ?? '', HOME: work, XDG_CACHE_HOME: cache },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A refusal: cdk8s-cli's failed-validation exit (2), the problem on one line, the report, no stack trace. */
function expectRefused(run: { code: number; stdout: string; stderr: string }, line: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(line);
  expect(run.stdout).toContain('kaito-gitops refused these specs');
  expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
}

const phiFiles = async () => (await snapshot(join(project, 'dist'))).filter(([path]) => path.startsWith(PHI));

async function breakPhi(): Promise<void> {
  const file = join(project, 'gitops', 'workspaces', 'phi-3-mini.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace(/^metadata:$/m, 'metadata: ['));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kaito-cdk8s-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});
beforeEach(async () => {
  project = join(work, 'project');
  cache = join(work, 'cache');
  await rm(project, { recursive: true, force: true });
  await rm(cache, { recursive: true, force: true });
  await mkdir(join(project, 'gitops'), { recursive: true });
  await cp(join(repo, 'gitops', 'workspaces'), join(project, 'gitops', 'workspaces'), { recursive: true });
  const config = (await readFile(join(repo, 'cdk8s.yaml'), 'utf8'))
    .replace('node src/cli/cdk8s-app.ts', `node ${join(repo, 'src', 'cli', 'cdk8s-app.ts')}`)
    .replace('./src/cli/cdk8s-validation.ts', join(repo, 'src', 'cli', 'cdk8s-validation.ts'));
  await writeFile(join(project, 'cdk8s.yaml'), config);
});

describe('npx cdk8s synth', () => {
  it('renders the same tree as kaito-gitops synth, with no stack trace', async () => {
    const run = await cdk8sSynth();
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect((await runCli(['synth', '--out', 'cli'], project)).code).toBe(0);
    const [a, b] = [readTree(join(project, 'dist')), readTree(join(project, 'cli'))];
    expect(a.tree.size).toBeGreaterThan(10);
    expect([...a.tree]).toEqual([...b.tree]);
  });

  it('keeps a refused spec’s last good output from the copy of the last run', async () => {
    expect((await cdk8sSynth()).code).toBe(0);
    const before = await phiFiles();
    expect(before.length).toBeGreaterThan(2);
    await breakPhi();
    const run = await cdk8sSynth();
    expectRefused(run, /^gitops\/workspaces\/phi-3-mini\.yaml:\d+:\d+: .*$/m);
    expect(await phiFiles()).toEqual(before);
    await writeFile(
      join(project, 'gitops', 'workspaces', 'phi-3-mini.yaml'),
      await readFile(join(repo, 'gitops', 'workspaces', 'phi-3-mini.yaml')),
    );
    expect((await cdk8sSynth()).code).toBe(0); // fixed: the refusal is not reported again
  });

  it('keeps it from git HEAD when the output is committed, hand-written files included', async () => {
    expect((await cdk8sSynth()).code).toBe(0);
    await writeFile(join(project, 'dist', 'README.md'), 'hand-written\n');
    await git(project, 'init', '-q', '-b', 'main');
    await git(project, 'add', '-A');
    await git(project, 'commit', '-qm', 'rendered');
    const before = await phiFiles();
    await rm(cache, { recursive: true, force: true }); // a fresh checkout: no copy
    await breakPhi();
    expectRefused(await cdk8sSynth(), /^gitops\/workspaces\/phi-3-mini\.yaml:\d+:\d+: .*$/m);
    expect(await phiFiles()).toEqual(before);
    expect(await readFile(join(project, 'dist', 'README.md'), 'utf8')).toBe('hand-written\n');
  });

  it('removes nothing when the source is empty', async () => {
    expect((await cdk8sSynth()).code).toBe(0);
    const before = await snapshot(join(project, 'dist'));
    await rm(join(project, 'gitops', 'workspaces'), { recursive: true });
    await mkdir(join(project, 'gitops', 'workspaces'));
    expectRefused(await cdk8sSynth(), /^gitops\/workspaces: holds no Workspace, .*--allow-empty$/m);
    expect(await snapshot(join(project, 'dist'))).toEqual(before);
  });

  describe('keeps every workspace in its shard', () => {
    const SHARDS = join(import.meta.dirname, '..', 'fixtures', 'main-shards');
    /** The bundled examples make way for 113 generated specs (more than one shard's worth in default). */
    async function manySpecs(): Promise<void> {
      await rm(join(project, 'gitops', 'workspaces'), { recursive: true });
      for (const spec of [...shardSpecs('default', 110), ...shardSpecs('team-a', 3)]) {
        await mkdir(join(project, 'gitops', 'workspaces', spec.path, '..'), { recursive: true });
        await writeFile(join(project, 'gitops', 'workspaces', spec.path), spec.content);
      }
    }
    const shardOf = () =>
      new Map(
        readTree(join(project, 'dist')).inventory?.workspaces.map((e) => [
          `${e.namespace}/${e.name}`,
          e.shard,
        ]) ?? [],
      );

    it('across runs, from the copy of the last run, although the cdk8s CLI empties dist', async () => {
      await manySpecs();
      expect((await cdk8sSynth()).code).toBe(0);
      const before = shardOf();
      expect(before.get('default/ws-050')).toBe('default.1');
      // From scratch, ws-050 would now fill the room ws-000 leaves in shard default.
      await rm(join(project, 'gitops', 'workspaces', 'default', 'ws-000.yaml'));
      expect((await cdk8sSynth()).code).toBe(0);
      const after = shardOf();
      before.delete('default/ws-000');
      expect(after).toEqual(before);
    });

    it('takes over a committed tree of the hash-split layout from git HEAD without moving anything', async () => {
      await manySpecs();
      expect((await cdk8sSynth()).code).toBe(0);
      // dist as the older layout wrote it: its shard kustomizations, root kustomization and inventory.
      await rm(join(project, 'dist', 'shards'), { recursive: true });
      await cp(SHARDS, join(project, 'dist'), {
        recursive: true,
        filter: (path) => !path.endsWith('README.md'),
      });
      await git(project, 'init', '-q', '-b', 'main');
      await git(project, 'add', '-A');
      await git(project, 'commit', '-qm', 'rendered by the hash-split layout');
      await rm(cache, { recursive: true, force: true }); // a fresh checkout: no copy
      expect((await cdk8sSynth()).code).toBe(0);
      expect((await git(project, 'status', '--porcelain')).trim()).toBe('M dist/inventory.json');
    });
  });
});
