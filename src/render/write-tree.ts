/**
 * The only I/O of rendering: put a tree on disk, and read back what a previous run put there.
 *
 * `writeTree` checks everything before it writes anything (every path relative and inside the root,
 * the previous inventory sound), then writes only the files whose bytes changed (temp file + rename,
 * so a reader never sees half a file), removes the files the previous inventory lists and the new
 * tree does not (and directories left empty by that), leaves every other file alone, and writes
 * `inventory.json` last: a run that dies halfway still has the old inventory, which lists everything
 * the next run may need to remove.
 *
 * Synchronous on purpose: a tree is thousands of small files, and going through the libuv thread
 * pool costs more than the writes (1,000 Workspaces on tmpfs: 359 ms with fs/promises at 32 in
 * flight, about 100 ms synchronous; on a slow disk both wait on the kernel alike). Callers are the
 * `synth` command and tests, never a server's request path.
 */
import {
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { emptyInventory, parseInventory, type Inventory } from './inventory.ts';
import { INVENTORY, KUSTOMIZATION } from './layout.ts';
import { assertTreePath } from './paths.ts';
import type { Tree } from './types.ts';
import { compareStrings } from '../api/index.ts';
import { errnoCode } from '../errors.ts';

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

export function writeTree(dir: string, tree: Tree, previous: Inventory = emptyInventory()): WriteResult {
  for (const path of tree.keys()) assertTreePath(path);
  const inventoryText = tree.get(INVENTORY);
  if (inventoryText === undefined) throw new Error(`a tree must carry its ${INVENTORY}`);
  parseInventory(inventoryText);
  const stale = [...new Set(previous.workspaces.flatMap((entry) => entry.files))]
    .filter((path) => !tree.has(path))
    .sort();
  for (const path of stale) assertTreePath(path);

  mkdirSync(dir, { recursive: true });
  const root = realpathSync(dir);
  // Directories are made one level at a time below a checked parent, and an existing one is resolved
  // before anything goes into it, so a symlink leading out of the root is refused, not followed.
  // `true` for a directory made now: its files need no comparison.
  const directories = new Map<string, boolean>([[root, false]]);
  const ensureDirectory = (path: string): boolean => {
    const known = directories.get(path);
    if (known !== undefined) return known;
    ensureDirectory(dirname(path));
    let made = true;
    try {
      mkdirSync(path);
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
      assertInside(root, realpathSync(path), path);
      made = false;
    }
    directories.set(path, made);
    return made;
  };

  const written: string[] = [];
  let unchanged = 0;
  for (const [path, text] of tree) {
    if (path === INVENTORY) continue;
    const target = inside(root, path);
    const fresh = ensureDirectory(dirname(target));
    if (!fresh && readIfExists(target) === text) {
      unchanged++;
      continue;
    }
    replaceFile(target, text);
    written.push(path);
  }

  const removed: string[] = [];
  for (const path of stale) {
    const target = inside(root, path);
    const parent = realpathIfExists(dirname(target));
    if (parent === undefined) continue;
    assertInside(root, parent, path);
    try {
      unlinkSync(target);
      removed.push(path);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
  removeEmptyDirectories(root, stale);

  const inventoryTarget = inside(root, INVENTORY);
  if (readIfExists(inventoryTarget) === inventoryText) unchanged++;
  else {
    replaceFile(inventoryTarget, inventoryText);
    written.push(INVENTORY);
  }
  return { written: written.sort(), removed, unchanged };
}

/** What a previous run wrote into `dir`, as a tree (for `mergeTree`) and its inventory (for `writeTree`). */
export function readTree(dir: string): ReadResult {
  const inventoryText = readIfExists(join(dir, INVENTORY));
  if (inventoryText === undefined) return { tree: new Map(), inventory: undefined };
  const inventory = parseInventory(inventoryText, join(dir, INVENTORY));
  const root = realpathSync(dir);
  const entries: [string, string][] = [[INVENTORY, inventoryText]];
  for (const path of [KUSTOMIZATION, ...inventory.workspaces.flatMap((entry) => entry.files)]) {
    const target = inside(root, path);
    const parent = realpathIfExists(dirname(target));
    if (parent === undefined) continue;
    assertInside(root, parent, path);
    const text = readIfExists(target);
    if (text !== undefined) entries.push([path, text]);
  }
  return { tree: new Map(entries.sort(([a], [b]) => compareStrings(a, b))), inventory };
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
    throw new Error(`refusing ${JSON.stringify(path)}: it resolves outside ${root}`);
  }
}

function replaceFile(target: string, text: string): void {
  const directory = dirname(target);
  const temporary = join(directory, `.${target.slice(directory.length + 1)}.kaito-gitops-tmp`);
  writeFileSync(temporary, text);
  renameSync(temporary, target);
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function realpathIfExists(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Removes directories that held removed files and are empty now, walking up, never the root itself. */
function removeEmptyDirectories(root: string, removed: readonly string[]): void {
  const candidates = new Set<string>();
  for (const path of removed) {
    for (let dir = posix.dirname(path); dir !== '.'; dir = posix.dirname(dir)) candidates.add(dir);
  }
  // Deepest first, so a parent is tried after its children.
  const deepestFirst = [...candidates].sort(
    (a, b) => b.split('/').length - a.split('/').length || compareStrings(a, b),
  );
  for (const dir of deepestFirst) {
    try {
      rmdirSync(inside(root, dir));
    } catch (error) {
      const code = errnoCode(error);
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}
