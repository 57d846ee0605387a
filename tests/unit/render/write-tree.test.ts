import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpecError } from '../../../src/errors.ts';
import {
  inventoryOf,
  mergeTree,
  readTree,
  renderTree,
  writeTree,
  type Tree,
} from '../../../src/render/index.ts';
import { synthesizeAll } from '../../../src/synth/index.ts';
import { mixedPlans, mixedSourceObjects, presetPlan } from '../../support/plans.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kaito-gitops-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const treeOf = (n: number): Tree =>
  renderTree(synthesizeAll(mixedPlans(n), mixedSourceObjects(n)).workspaces);

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

describe('writeTree', () => {
  it('writes every file of a fresh tree, the inventory included', async () => {
    const tree = treeOf(5);
    const result = await writeTree(dir, tree);
    expect(await filesUnder(dir)).toEqual([...tree.keys()].sort());
    expect(result.written).toEqual([...tree.keys()].sort());
    for (const [path, text] of tree) expect(await readFile(join(dir, path), 'utf8')).toBe(text);
  });

  it('leaves unchanged files untouched on a re-run', async () => {
    const tree = treeOf(5);
    await writeTree(dir, tree);
    const before = (await stat(join(dir, 'workspaces/team-0/ws-00000/deployment-ws-00000.yaml'))).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const result = await writeTree(dir, tree, inventoryOf(tree));
    expect(result).toEqual({ written: [], removed: [], unchanged: tree.size });
    expect((await stat(join(dir, 'workspaces/team-0/ws-00000/deployment-ws-00000.yaml'))).mtimeMs).toBe(
      before,
    );
  });

  it('removes what a deleted spec had generated, and its empty directories, but no other file', async () => {
    const before = treeOf(6);
    await writeTree(dir, before);
    await writeFile(join(dir, 'workspaces/team-5/ws-00005/NOTES.md'), 'mine');
    await mkdir(join(dir, 'workspaces/team-1/extra'), { recursive: true });
    await writeFile(join(dir, 'workspaces/team-1/extra/keep.yaml'), 'mine');
    await writeFile(join(dir, 'README.md'), 'mine');
    const after = treeOf(5); // ws-00005 (team-5) is gone
    const result = await writeTree(dir, after, inventoryOf(before));
    expect(result.removed).toEqual(
      inventoryOf(before)
        .workspaces.find((w) => w.name === 'ws-00005')!
        .files.sort(),
    );
    expect(result.written).toEqual(['inventory.json', 'kustomization.yaml']);
    expect(await readFile(join(dir, 'workspaces/team-5/ws-00005/NOTES.md'), 'utf8')).toBe('mine');
    expect(await readFile(join(dir, 'workspaces/team-1/extra/keep.yaml'), 'utf8')).toBe('mine');
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('mine');
    await rm(join(dir, 'workspaces/team-5/ws-00005/NOTES.md'));
    const again = treeOf(4);
    await writeTree(dir, again, inventoryOf(after));
    await expect(stat(join(dir, 'workspaces/team-4'))).rejects.toThrow(/ENOENT/);
    expect(await filesUnder(dir)).toEqual(
      [...again.keys(), 'README.md', 'workspaces/team-1/extra/keep.yaml'].sort(),
    );
  });

  it('rewrites only the changed file, through a temporary file that does not stay behind', async () => {
    const plans = mixedPlans(3);
    const before = renderTree(synthesizeAll(plans, mixedSourceObjects(3)).workspaces);
    await writeTree(dir, before);
    const changed = plans.map((p, i) => (i === 0 ? { ...p, gpusPerNode: 2 } : p));
    const after = renderTree(synthesizeAll(changed, mixedSourceObjects(3)).workspaces);
    const result = await writeTree(dir, after, inventoryOf(before));
    expect(result.written).toEqual(['workspaces/team-0/ws-00000/deployment-ws-00000.yaml']);
    expect(await filesUnder(dir)).toEqual([...after.keys()].sort());
  });

  it.each([
    ['a parent segment', '../escape.yaml'],
    ['an absolute path', '/tmp/escape.yaml'],
    ['a nested parent segment', 'workspaces/../../escape.yaml'],
  ])('refuses %s before writing anything', async (_name, path) => {
    const tree = new Map([...treeOf(1), [path, 'x']]);
    await expect(writeTree(join(dir, 'out'), tree)).rejects.toThrow(/refusing/);
    await expect(stat(join(dir, 'out'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a previous inventory that points outside, before writing anything', async () => {
    const tree = treeOf(1);
    const previous = {
      ...inventoryOf(tree),
      workspaces: [{ namespace: 'x', name: 'y', files: ['../../etc/passwd'] }],
    };
    await expect(writeTree(join(dir, 'out'), tree, previous)).rejects.toThrow(/refusing/);
    await expect(stat(join(dir, 'out'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses to write through a symlinked directory that leads outside', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'kaito-gitops-outside-'));
    try {
      await mkdir(join(dir, 'out'));
      await symlink(outside, join(dir, 'out', 'workspaces'));
      await expect(writeTree(join(dir, 'out'), treeOf(1))).rejects.toThrow(/outside/);
      expect(await readdir(outside, { recursive: true })).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('readTree', () => {
  it('reads back what writeTree wrote, and nothing else', async () => {
    const tree = treeOf(5);
    await writeTree(dir, tree);
    await writeFile(join(dir, 'README.md'), 'not ours');
    const read = await readTree(dir);
    expect([...read.tree.entries()]).toEqual([...tree.entries()]);
    expect(read.inventory).toEqual(inventoryOf(tree));
  });

  it('finds nothing in a directory that was never rendered', async () => {
    expect(await readTree(dir)).toEqual({ tree: new Map(), inventory: undefined });
  });

  it('reports a damaged inventory as a SpecError naming the file', async () => {
    await writeFile(join(dir, 'inventory.json'), '{"version": 1, "workspaces": [{"namespace": "a"}]}');
    await expect(readTree(dir)).rejects.toThrow(SpecError);
    await expect(readTree(dir)).rejects.toThrow(
      /inventory.json: workspaces\[0\]: must have a string namespace and name/,
    );
  });

  it('keeps a failed workspace on disk across a merge and write', async () => {
    const a = presetPlan({ name: 'a' });
    const b = presetPlan({ name: 'b' });
    await writeTree(dir, renderTree(synthesizeAll([a, b], []).workspaces));
    const before = await readFile(join(dir, 'workspaces/default/a/deployment-a.yaml'), 'utf8');
    const previous = await readTree(dir);
    const next = renderTree(synthesizeAll([{ ...b, gpusPerNode: 2 }], []).workspaces);
    const { tree } = mergeTree(previous.tree, next, { keep: [{ namespace: 'default', name: 'a' }] });
    const result = await writeTree(dir, tree, previous.inventory);
    expect(result.removed).toEqual([]);
    expect(result.written).toEqual(['workspaces/default/b/deployment-b.yaml']);
    expect(await readFile(join(dir, 'workspaces/default/a/deployment-a.yaml'), 'utf8')).toBe(before);
  });
});
