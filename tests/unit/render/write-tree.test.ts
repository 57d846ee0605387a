import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError, SpecError } from '../../../src/errors.ts';
import { placeTree } from '../../../src/render/place.ts';
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
import { makeReadOnly } from '../../support/read-only.ts';
import { snapshot } from '../../support/snapshot.ts';

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
    const result = writeTree(dir, tree);
    expect(await filesUnder(dir)).toEqual([...tree.keys()].sort());
    expect(result.written).toEqual([...tree.keys()].sort());
    for (const [path, text] of tree) expect(await readFile(join(dir, path), 'utf8')).toBe(text);
  });

  it('leaves unchanged files untouched on a re-run', async () => {
    const tree = treeOf(5);
    writeTree(dir, tree);
    const before = (await stat(join(dir, 'workspaces/team-0/ws-00000/deployment-ws-00000.yaml'))).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const result = writeTree(dir, tree, inventoryOf(tree));
    expect(result).toEqual({ written: [], removed: [], unchanged: tree.size });
    expect((await stat(join(dir, 'workspaces/team-0/ws-00000/deployment-ws-00000.yaml'))).mtimeMs).toBe(
      before,
    );
  });

  it('removes what a deleted spec had generated, and its empty directories, but no other file', async () => {
    const before = treeOf(6);
    writeTree(dir, before);
    await writeFile(join(dir, 'workspaces/team-5/ws-00005/NOTES.md'), 'mine');
    await mkdir(join(dir, 'workspaces/team-1/extra'), { recursive: true });
    await writeFile(join(dir, 'workspaces/team-1/extra/keep.yaml'), 'mine');
    await writeFile(join(dir, 'README.md'), 'mine');
    const after = treeOf(5); // ws-00005 (team-5) is gone
    const result = writeTree(dir, after, inventoryOf(before));
    // Its files, and the kustomization of its shard, which has no workspace left.
    expect(result.removed).toEqual(
      [
        'shards/team-5/kustomization.yaml',
        ...inventoryOf(before).workspaces.find((w) => w.name === 'ws-00005')!.files,
      ].sort(),
    );
    expect(result.written).toEqual(['inventory.json', 'kustomization.yaml']);
    expect(await readFile(join(dir, 'workspaces/team-5/ws-00005/NOTES.md'), 'utf8')).toBe('mine');
    expect(await readFile(join(dir, 'workspaces/team-1/extra/keep.yaml'), 'utf8')).toBe('mine');
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('mine');
    await rm(join(dir, 'workspaces/team-5/ws-00005/NOTES.md'));
    const again = treeOf(4);
    writeTree(dir, again, inventoryOf(after));
    await expect(stat(join(dir, 'workspaces/team-4'))).rejects.toThrow(/ENOENT/);
    expect(await filesUnder(dir)).toEqual(
      [...again.keys(), 'README.md', 'workspaces/team-1/extra/keep.yaml'].sort(),
    );
  });

  it('rewrites only the changed file, through a temporary file that does not stay behind', async () => {
    const plans = mixedPlans(3);
    const before = renderTree(synthesizeAll(plans, mixedSourceObjects(3)).workspaces);
    writeTree(dir, before);
    const changed = plans.map((p, i) => (i === 0 ? { ...p, gpusPerNode: 2 } : p));
    const after = renderTree(synthesizeAll(changed, mixedSourceObjects(3)).workspaces);
    const result = writeTree(dir, after, inventoryOf(before));
    expect(result.written).toEqual(['workspaces/team-0/ws-00000/deployment-ws-00000.yaml']);
    expect(await filesUnder(dir)).toEqual([...after.keys()].sort());
  });

  it.each([
    ['a parent segment', '../escape.yaml'],
    ['an absolute path', '/tmp/escape.yaml'],
    ['a nested parent segment', 'workspaces/../../escape.yaml'],
  ])('refuses %s before writing anything', async (_name, path) => {
    const tree = new Map([...treeOf(1), [path, 'x']]);
    expect(() => writeTree(join(dir, 'out'), tree)).toThrow(/refusing/);
    await expect(stat(join(dir, 'out'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a previous inventory that points outside, before writing anything', async () => {
    const tree = treeOf(1);
    const previous = {
      ...inventoryOf(tree),
      workspaces: [{ namespace: 'x', name: 'y', files: ['../../etc/passwd'] }],
    };
    expect(() => writeTree(join(dir, 'out'), tree, previous)).toThrow(/refusing/);
    await expect(stat(join(dir, 'out'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses to write through a symlinked directory that leads outside', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'kaito-gitops-outside-'));
    try {
      await mkdir(join(dir, 'out'));
      await symlink(outside, join(dir, 'out', 'workspaces'));
      expect(() => writeTree(join(dir, 'out'), treeOf(1))).toThrow(/outside/);
      expect(await readdir(outside, { recursive: true })).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('writeTree and files it did not write', () => {
  it('refuses to write over a file that is in the way and not in the inventory', async () => {
    await writeFile(join(dir, 'kustomization.yaml'), 'resources: [mine.yaml]\n');
    expect(() => writeTree(dir, treeOf(2), undefined, { name: 'out' })).toThrow(
      'out/kustomization.yaml is there already and kaito-gitops did not write it (inventory.json does not list it); move it away or choose another output directory; nothing in out was changed',
    );
    expect(await filesUnder(dir)).toEqual(['kustomization.yaml']);
  });

  it('owns the root kustomization and the inventory once an inventory is there', () => {
    const tree = treeOf(2);
    writeTree(dir, tree);
    expect(() => writeTree(dir, treeOf(3), inventoryOf(tree))).not.toThrow();
  });
});

describe('placeTree (the same rule for a directory in git)', () => {
  it('keeps foreign files, removes owned ones the new tree lacks, and reports collisions', () => {
    const before = treeOf(2);
    const existing = new Map([...before, ['README.md', 'mine'], ['flux-system/gotk.yaml', 'flux']]);
    const after = treeOf(1);
    const placed = placeTree(existing, after);
    expect(placed.conflicts).toEqual([]);
    expect(placed.foreign).toBe(2);
    expect([...placed.files.keys()].sort()).toEqual(
      [...after.keys(), 'README.md', 'flux-system/gotk.yaml'].sort(),
    );
    expect(placeTree(new Map([['kustomization.yaml', 'mine']]), after).conflicts).toEqual([
      'kustomization.yaml',
    ]);
  });
});

describe('writeTree when the disk refuses', () => {
  const changedTree = (n: number, gpus: number) =>
    renderTree(
      synthesizeAll(
        mixedPlans(n).map((p) => ({ ...p, gpusPerNode: gpus })),
        mixedSourceObjects(n),
      ).workspaces,
    );

  it('leaves every file and the inventory as they were, and says nothing changed', async () => {
    const before = changedTree(4, 1);
    writeTree(dir, before);
    const on = await snapshot(dir);
    // Staging reaches the read-only directory after writing temporary files in the ones before it.
    const locked = join(dir, 'workspaces/team-2/ws-00002');
    const undo = await makeReadOnly(locked);
    try {
      const after = new Map([...changedTree(5, 2)]);
      expect(() => writeTree(dir, after, inventoryOf(before), { name: 'dist' })).toThrow(EnvironmentError);
      expect(() => writeTree(dir, after, inventoryOf(before), { name: 'dist' })).toThrow(
        /^cannot write dist\/workspaces\/team-2\/ws-00002\/.*: operation not permitted \(EPERM\)|permission denied \(EACCES\); nothing in dist was changed$/,
      );
    } finally {
      await undo();
    }
    expect(await snapshot(dir)).toEqual(on);
  });

  it('says so in one line when the output directory cannot be made', async () => {
    await writeFile(join(dir, 'file'), 'x');
    expect(() => writeTree(join(dir, 'file'), treeOf(1), undefined, { name: 'file' })).toThrow(
      /^cannot create the output directory file: already exists \(EEXIST\)$/,
    );
  });

  it('says how far it got when a removal fails, and the inventory lets the next run finish', async () => {
    const before = changedTree(2, 1); // ws-00000, ws-00001
    writeTree(dir, before);
    const after = renderTree(synthesizeAll(mixedPlans(3).slice(1), mixedSourceObjects(3)).workspaces); // ws-00000 gone, ws-00002 new
    const undo = await makeReadOnly(join(dir, 'workspaces/team-0/ws-00000'));
    try {
      expect(() => writeTree(dir, after, inventoryOf(before), { name: 'dist' })).toThrow(
        /^cannot remove dist\/workspaces\/team-0\/ws-00000\/.*; every new file was written, and dist\/inventory.json still lists the files left to remove: run the command again to finish$/,
      );
    } finally {
      await undo();
    }
    const listed = readTree(dir).inventory?.workspaces.map((w) => w.name);
    expect(listed).toEqual(['ws-00000', 'ws-00001', 'ws-00002']);
    const finished = writeTree(dir, after, readTree(dir).inventory);
    expect(finished.removed.length).toBeGreaterThan(0);
    expect(await filesUnder(dir)).toEqual([...after.keys()].sort());
  });
});

describe('readTree', () => {
  it('reads back what writeTree wrote, and nothing else', async () => {
    const tree = treeOf(5);
    writeTree(dir, tree);
    await writeFile(join(dir, 'README.md'), 'not ours');
    const read = readTree(dir);
    expect([...read.tree.entries()]).toEqual([...tree.entries()]);
    expect(read.inventory).toEqual(inventoryOf(tree));
  });

  it('finds nothing in a directory that was never rendered', () => {
    expect(readTree(dir)).toEqual({ tree: new Map(), inventory: undefined });
  });

  it('reports a damaged inventory as a SpecError naming the file', async () => {
    await writeFile(join(dir, 'inventory.json'), '{"version": 1, "workspaces": [{"namespace": "a"}]}');
    expect(() => readTree(dir)).toThrow(SpecError);
    expect(() => readTree(dir)).toThrow(
      /inventory.json: workspaces\[0\]: must have a string namespace and name/,
    );
  });

  it('keeps a failed workspace on disk across a merge and write', async () => {
    const a = presetPlan({ name: 'a' });
    const b = presetPlan({ name: 'b' });
    writeTree(dir, renderTree(synthesizeAll([a, b], []).workspaces));
    const before = await readFile(join(dir, 'workspaces/default/a/deployment-a.yaml'), 'utf8');
    const previous = readTree(dir);
    const next = renderTree(synthesizeAll([{ ...b, gpusPerNode: 2 }], []).workspaces);
    const { tree } = mergeTree(previous.tree, next, { keep: [{ namespace: 'default', name: 'a' }] });
    const result = writeTree(dir, tree, previous.inventory);
    expect(result.removed).toEqual([]);
    expect(result.written).toEqual(['workspaces/default/b/deployment-b.yaml']);
    expect(await readFile(join(dir, 'workspaces/default/a/deployment-a.yaml'), 'utf8')).toBe(before);
  });
});
