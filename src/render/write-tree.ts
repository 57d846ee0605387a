/**
 * The only I/O of rendering: put a tree on disk, and read back what a previous run put there.
 *
 * `writeTree` checks everything before it writes anything (every path relative and inside the root,
 * the previous inventory sound), then works in two steps so that a failure changes nothing:
 *
 * 1. Stage: every file whose bytes change is written to a temporary file beside its target. A failure
 *    here (permission denied, disk full, a symlink leading out) removes the temporary files and the
 *    directories made for them, and the tree on disk is exactly as it was.
 * 2. Commit: when the new tree has paths the previous inventory does not list, an inventory listing
 *    both is put in place first; then each temporary file is renamed over its target, the files the
 *    previous inventory lists and the new tree does not are removed (with directories left empty),
 *    and the new `inventory.json` goes in last. At every moment `inventory.json` lists every file
 *    kaito-gitops may have written, so a run that dies halfway is finished by the next one; a failure
 *    here says how far it got.
 *
 * Files the inventory does not list are never touched (`place.ts`): one that is in the way of the new
 * tree stops the write before anything changes. Failures are EnvironmentErrors (exit 3).
 *
 * Synchronous on purpose: a tree is thousands of small files, and going through the libuv thread
 * pool costs more than the writes (1,000 Workspaces on tmpfs: 359 ms with fs/promises at 32 in
 * flight, about 100 ms synchronous; on a slow disk both wait on the kernel alike). It also means a
 * signal handler can only run before or after a write, never in the middle of one. Callers are the
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
import { EnvironmentError, errnoCode, systemErrorText } from '../errors.ts';
import {
  emptyInventory,
  parseInventory,
  serializeInventory,
  type Inventory,
  type InventoryEntry,
} from './inventory.ts';
import { INVENTORY, KUSTOMIZATION } from './layout.ts';
import { ownedPaths } from './place.ts';
import { assertTreePath } from './paths.ts';
import type { Tree } from './types.ts';
import { compareStrings } from '../api/index.ts';

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

export interface WriteOptions {
  /** How messages name the output directory: as the user typed it. @default dir */
  name?: string;
  /** Told after each file of the tree is checked or staged, for a progress line. */
  onProgress?: (done: number, total: number) => void;
}

interface Staged {
  path: string;
  target: string;
  temporary: string;
}

export function writeTree(
  dir: string,
  tree: Tree,
  previousInventory?: Inventory,
  options: WriteOptions = {},
): WriteResult {
  const previous = previousInventory ?? emptyInventory();
  const owned = ownedPaths(previousInventory);
  for (const path of tree.keys()) assertTreePath(path);
  const inventoryText = tree.get(INVENTORY);
  if (inventoryText === undefined) throw new Error(`a tree must carry its ${INVENTORY}`);
  const next = parseInventory(inventoryText);
  const stale = [...new Set([...previous.workspaces.flatMap((entry) => entry.files), ...previous.files])]
    .filter((path) => !tree.has(path))
    .sort();
  for (const path of stale) assertTreePath(path);
  const name = options.name ?? dir;
  const shown = (path: string) => `${name.replace(/\/+$/, '')}/${path}`;

  let root: string;
  try {
    mkdirSync(dir, { recursive: true });
    root = realpathSync(dir);
  } catch (error) {
    throw new EnvironmentError(`cannot create the output directory ${name}: ${systemErrorText(error)}`, {
      cause: error,
    });
  }

  // 1. Stage.
  const made: string[] = [];
  const staged: Staged[] = [];
  let unchanged = 0;
  let path = '';
  try {
    const directories = new Map<string, boolean>([[root, false]]);
    // Directories are made one level at a time below a checked parent, and an existing one is resolved
    // before anything goes into it, so a symlink leading out of the root is refused, not followed.
    // `true` for a directory made now: its files need no comparison.
    const ensureDirectory = (directory: string): boolean => {
      const known = directories.get(directory);
      if (known !== undefined) return known;
      ensureDirectory(dirname(directory));
      let fresh = true;
      try {
        mkdirSync(directory);
        made.push(directory);
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error;
        assertInside(root, realpathSync(directory), directory);
        fresh = false;
      }
      directories.set(directory, fresh);
      return fresh;
    };
    let done = 0;
    for (const [treePath, text] of tree) {
      options.onProgress?.(done++, tree.size);
      path = treePath;
      const target = inside(root, path);
      const fresh = ensureDirectory(dirname(target));
      const current = fresh ? undefined : readIfExists(target);
      if (current !== undefined && !owned.has(path)) throw new NotOurs(path);
      if (current === text) {
        unchanged++;
        continue;
      }
      const temporary = temporaryFor(target);
      writeFileSync(temporary, text);
      staged.push({ path, target, temporary });
    }
  } catch (error) {
    discard(staged, made);
    if (error instanceof NotOurs) {
      throw new EnvironmentError(
        `${shown(error.path)} is there already and kaito-gitops did not write it (${INVENTORY} does not list it); move it away or choose another output directory; nothing in ${name} was changed`,
      );
    }
    throw new EnvironmentError(
      `cannot write ${shown(path)}: ${systemErrorText(error)}; nothing in ${name} was changed`,
      { cause: error },
    );
  }

  // 2. Commit.
  const files = staged.filter((s) => s.path !== INVENTORY);
  const listed = new Set([...previous.workspaces.flatMap((entry) => entry.files), ...previous.files]);
  if (files.some((s) => !listed.has(s.path) && s.path !== KUSTOMIZATION)) {
    try {
      replaceFile(inside(root, INVENTORY), serializeInventory(union(previous, next)));
    } catch (error) {
      discard(staged, made);
      throw new EnvironmentError(
        `cannot write ${shown(INVENTORY)}: ${systemErrorText(error)}; nothing in ${name} was changed`,
        { cause: error },
      );
    }
  }
  const written: string[] = [];
  for (const [index, file] of files.entries()) {
    try {
      renameSync(file.temporary, file.target);
      written.push(file.path);
    } catch (error) {
      discard(staged.slice(index), []);
      throw new EnvironmentError(
        `cannot write ${shown(file.path)}: ${systemErrorText(error)}; ${index} of ${files.length} changed files were written, the rest are as before, and ${shown(INVENTORY)} lists every file kaito-gitops wrote: run the command again to finish`,
        { cause: error },
      );
    }
  }

  const removed: string[] = [];
  const left = (error: unknown, path: string) => {
    discard(
      staged.filter((s) => s.path === INVENTORY),
      [],
    );
    return new EnvironmentError(
      `cannot remove ${shown(path)}: ${systemErrorText(error)}; every new file was written, and ${shown(INVENTORY)} still lists the files left to remove: run the command again to finish`,
      { cause: error },
    );
  };
  for (const path of stale) {
    try {
      const target = inside(root, path);
      const parent = realpathIfExists(dirname(target));
      if (parent === undefined) continue;
      assertInside(root, parent, path);
      unlinkSync(target);
      removed.push(path);
    } catch (error) {
      if (isMissing(error)) continue;
      throw left(error, path);
    }
  }
  removeEmptyDirectories(root, stale);

  const inventory = staged.find((s) => s.path === INVENTORY);
  if (inventory !== undefined) {
    try {
      renameSync(inventory.temporary, inventory.target);
      written.push(INVENTORY);
    } catch (error) {
      throw left(error, INVENTORY);
    }
  }
  return { written: written.sort(), removed, unchanged };
}

/** The previous and next inventories together: every file either run wrote, per workspace. */
function union(previous: Inventory, next: Inventory): Inventory {
  const byKey = new Map<string, InventoryEntry>();
  for (const entry of [...previous.workspaces, ...next.workspaces]) {
    const key = `${entry.namespace}/${entry.name}`;
    const known = byKey.get(key);
    byKey.set(
      key,
      known === undefined ? entry : { ...entry, files: [...new Set([...known.files, ...entry.files])] },
    );
  }
  const workspaces = [...byKey.values()].sort((a, b) =>
    a.namespace === b.namespace ? compareStrings(a.name, b.name) : compareStrings(a.namespace, b.namespace),
  );
  const files = [...new Set([...previous.files, ...next.files])].sort(compareStrings);
  return { ...emptyInventory(), workspaces, files };
}

/** Removes staged temporary files and the directories made for them (deepest first); best effort. */
function discard(staged: readonly Staged[], made: readonly string[]): void {
  for (const file of staged) {
    try {
      unlinkSync(file.temporary);
    } catch {
      // already gone
    }
  }
  for (const directory of [...made].reverse()) {
    try {
      rmdirSync(directory);
    } catch {
      // not empty, or already gone
    }
  }
}

/** A file of the tree that is on disk already and that kaito-gitops does not own. */
class NotOurs extends Error {
  readonly path: string;
  constructor(path: string) {
    super(`${path} is not kaito-gitops'`);
    this.path = path;
  }
}

function temporaryFor(target: string, suffix = 'kaito-gitops-tmp'): string {
  const directory = dirname(target);
  return join(directory, `.${target.slice(directory.length + 1)}.${suffix}`);
}

/** What a previous run wrote into `dir`, as a tree (for `mergeTree`) and its inventory (for `writeTree`). */
export function readTree(dir: string): ReadResult {
  const inventoryText = readIfExists(join(dir, INVENTORY));
  if (inventoryText === undefined) return { tree: new Map(), inventory: undefined };
  const inventory = parseInventory(inventoryText, join(dir, INVENTORY));
  const root = realpathSync(dir);
  const entries: [string, string][] = [[INVENTORY, inventoryText]];
  for (const path of [
    KUSTOMIZATION,
    ...inventory.files,
    ...inventory.workspaces.flatMap((entry) => entry.files),
  ]) {
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

/** Puts `text` in place at once (temporary file + rename); the staged files use other temporary names. */
function replaceFile(target: string, text: string): void {
  const temporary = temporaryFor(target, 'kaito-gitops-union');
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, target);
  } catch (error) {
    discard([{ path: '', target, temporary }], []);
    throw error;
  }
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
