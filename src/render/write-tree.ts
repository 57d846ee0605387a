/**
 * The only I/O of rendering: put a tree on disk, and read back what a previous run put there.
 *
 * `writeTree` checks everything before it writes anything (every path relative and inside the root,
 * the previous inventory sound), then writes only the files whose bytes changed (temp file + rename,
 * so a reader never sees half a file), removes the files the previous inventory lists and the new
 * tree does not (and directories left empty by that), leaves every other file alone, and writes
 * `inventory.json` last: a run that dies halfway still has the old inventory, which lists everything
 * the next run may need to remove.
 */
import { mkdir, readFile, realpath, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { emptyInventory, parseInventory, type Inventory } from './inventory.ts';
import { INVENTORY, KUSTOMIZATION } from './layout.ts';
import { assertTreePath } from './paths.ts';
import type { Tree } from './types.ts';

/** Files written at once; enough to keep the disk busy without opening thousands of handles. */
const CONCURRENCY = 32;

export interface WriteResult {
  /** Paths whose content changed (or that were new), sorted. */
  written: string[];
  /** Paths of the previous inventory that the new tree no longer has, removed, sorted. */
  removed: string[];
  /** Files left as they were because their bytes did not change. */
  unchanged: number;
}

export interface ReadResult {
  /** The files the inventory lists that exist, plus the root kustomization and the inventory. */
  tree: Tree;
  /** Undefined when the directory holds no inventory (nothing was rendered there yet). */
  inventory: Inventory | undefined;
}

export async function writeTree(
  dir: string,
  tree: Tree,
  previous: Inventory = emptyInventory(),
): Promise<WriteResult> {
  for (const path of tree.keys()) assertTreePath(path);
  const inventoryText = tree.get(INVENTORY);
  if (inventoryText === undefined) throw new Error(`a tree must carry its ${INVENTORY}`);
  parseInventory(inventoryText);
  const stale = [...new Set(previous.workspaces.flatMap((entry) => entry.files))]
    .filter((path) => !tree.has(path))
    .sort();
  for (const path of stale) assertTreePath(path);

  await mkdir(dir, { recursive: true });
  const root = await realpath(dir);
  // Directories are made one level at a time below a checked parent, and an existing one is resolved
  // before anything goes into it, so a symlink leading out of the root is refused, not followed.
  // Resolves to true when the directory is new: its files need no comparison.
  const directories = new Map<string, Promise<boolean>>();
  const ensureDirectory = (path: string): Promise<boolean> => {
    if (path === root) return Promise.resolve(false);
    let pending = directories.get(path);
    if (pending === undefined) {
      pending = (async () => {
        await ensureDirectory(dirname(path));
        try {
          await mkdir(path);
          return true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          assertInside(root, await realpath(path), path);
          return false;
        }
      })();
      directories.set(path, pending);
    }
    return pending;
  };

  const written: string[] = [];
  let unchanged = 0;
  const files = [...tree.entries()].filter(([path]) => path !== INVENTORY);
  await forEachLimited(files, async ([path, text]) => {
    const target = inside(root, path);
    const fresh = await ensureDirectory(dirname(target));
    if (!fresh && (await readIfExists(target)) === text) {
      unchanged++;
      return;
    }
    await replaceFile(target, text);
    written.push(path);
  });

  const removed: string[] = [];
  await forEachLimited(stale, async (path) => {
    const target = inside(root, path);
    assertInside(root, await realpath(dirname(target)).catch(() => root), path);
    try {
      await unlink(target);
      removed.push(path);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  });
  await removeEmptyDirectories(root, stale);

  const target = inside(root, INVENTORY);
  if ((await readIfExists(target)) === inventoryText) unchanged++;
  else {
    await replaceFile(target, inventoryText);
    written.push(INVENTORY);
  }
  return { written: written.sort(), removed: removed.sort(), unchanged };
}

/** What a previous run wrote into `dir`, as a tree (for `mergeTree`) and its inventory (for `writeTree`). */
export async function readTree(dir: string): Promise<ReadResult> {
  const inventoryText = await readIfExists(join(dir, INVENTORY));
  if (inventoryText === undefined) return { tree: new Map(), inventory: undefined };
  const inventory = parseInventory(inventoryText, join(dir, INVENTORY));
  const root = await realpath(dir);
  const paths = [KUSTOMIZATION, ...inventory.workspaces.flatMap((entry) => entry.files)];
  const entries: [string, string][] = [[INVENTORY, inventoryText]];
  await forEachLimited(paths, async (path) => {
    const text = await readIfExists(inside(root, path));
    if (text !== undefined) entries.push([path, text]);
  });
  return { tree: new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), inventory };
}

function inside(root: string, path: string): string {
  assertTreePath(path);
  const target = resolve(root, ...path.split(posix.sep));
  assertInside(root, target, path);
  return target;
}

function assertInside(root: string, target: string, path: string): void {
  const rel = relative(root, target);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new Error(`refusing to write ${JSON.stringify(path)}: it resolves outside ${root}`);
  }
}

async function replaceFile(target: string, text: string): Promise<void> {
  const temporary = join(dirname(target), `.${target.slice(dirname(target).length + 1)}.kaito-gitops-tmp`);
  await writeFile(temporary, text);
  await rename(temporary, target);
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Removes directories that held removed files and are empty now, walking up, never the root itself. */
async function removeEmptyDirectories(root: string, removed: readonly string[]): Promise<void> {
  const candidates = new Set<string>();
  for (const path of removed) {
    for (let dir = posix.dirname(path); dir !== '.'; dir = posix.dirname(dir)) candidates.add(dir);
  }
  // Deepest first, so a parent is tried after its children.
  for (const dir of [...candidates].sort(
    (a, b) => b.split('/').length - a.split('/').length || (a < b ? -1 : 1),
  )) {
    try {
      await rmdir(inside(root, dir));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOENT') throw error;
    }
  }
}

async function forEachLimited<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
