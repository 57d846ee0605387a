/**
 * Reading a spec directory from disk, by api's rule for every route (source-tree.ts: which paths are spec
 * files and repository files, what a link or a binary file gets, the order): the spec files under each
 * directory named, or the files named, and the repository files beside the first. Each file keeps two
 * names: its path relative to the directory (what the inventory records as a workspace's source) and the
 * path as the user typed it (what messages show). A file or directory the system will not let us read is
 * an EnvironmentError (exit 3), before anything is written.
 */
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, posix, relative, resolve, sep } from 'node:path';
import {
  MAX_FILE_BYTES,
  REPOSITORY_FILES,
  isSpecPath,
  mayHoldSpecs,
  sourceOf,
  underDir,
  type Source,
  type SourceEntry,
} from '../api/index.ts';
import { EnvironmentError, UsageError, systemErrorText } from '../errors.ts';

export interface ReadOptions {
  /**
   * `root`: paths relative to each directory named (one source tree, as `synth` reads it); `typed`:
   * paths as the user typed them, so files of several directories never share a path. @default "root"
   */
  paths?: 'root' | 'typed';
  /** Told after each file is read, for a progress line. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The spec files of each path (a directory is walked, a file is taken as it is), and the repository files
 * of the first path's directory (its own directory, for a file).
 */
export async function readSources(
  paths: readonly string[],
  cwd: string,
  options: ReadOptions = {},
): Promise<Source> {
  const found: { file: string; path: string; display: string }[] = [];
  /** The spec directory the repository files are read beside: the first path, or a file's directory. */
  let dir: string | undefined;
  for (const path of paths) {
    const full = resolve(cwd, path);
    const info = await stat(full).catch((error: unknown) => {
      if (isMissing(error)) throw new UsageError(`${path}: no such file or directory`, { cause: error });
      throw unreadable(path, error);
    });
    dir ??= toPosix(info.isDirectory() ? path : dirname(path));
    if (info.isDirectory()) {
      for (const file of await walk(full, path)) {
        const inside = toPosix(relative(full, file));
        const typed = posix.join(toPosix(path), inside);
        found.push({ file, path: options.paths === 'typed' ? typed : inside, display: typed });
      }
    } else {
      const typed = toPosix(path);
      found.push({ file: full, path: options.paths === 'typed' ? typed : basename(full), display: typed });
    }
  }
  let done = 0;
  const specs = await inOrder(found, READS_IN_FLIGHT, async ({ file, path, display }) => {
    const spec = await readEntry(file, path, display);
    options.onProgress?.(++done, found.length);
    return spec;
  });
  dir ??= '.';
  const repository: SourceEntry[] = [];
  for (const path of REPOSITORY_FILES) {
    const entry = await readRepositoryFile(resolve(cwd, dir, path), path, underDir(dir, path));
    if (entry !== undefined) repository.push(entry);
  }
  return sourceOf(specs, repository, dir);
}

/** Files read at once: enough to keep the disk and the thread pool busy, few enough for file handles. */
const READS_IN_FLIGHT = 16;

/** `map` over `items` with at most `limit` calls running, results in the order of `items`. */
async function inOrder<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The spec files under `dir` (full paths), by api's rule on their paths relative to `root`. */
async function walk(dir: string, typed: string, root = dir): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw unreadable(toPosix(typed), error);
  });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const inside = toPosix(relative(root, path));
    if (entry.isDirectory()) {
      if (mayHoldSpecs(inside)) found.push(...(await walk(path, join(typed, entry.name), root)));
    } else if ((entry.isFile() || entry.isSymbolicLink()) && isSpecPath(inside)) found.push(path);
  }
  return found;
}

/** A repository file as the reader's entry; undefined when nothing (or a directory) is at its path. */
async function readRepositoryFile(
  file: string,
  path: string,
  display: string,
): Promise<SourceEntry | undefined> {
  const info = await lstat(file).catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw unreadable(display, error);
  });
  if (info === undefined || !(info.isFile() || info.isSymbolicLink())) return undefined;
  return readEntry(file, path, display);
}

/**
 * A regular file or a symbolic link as the reader's entry (api judges it). Reads at most one byte more
 * than the loader accepts: an oversized file still gets the loader's "too large" problem, with its real
 * size, without this process reading gigabytes first.
 */
async function readEntry(file: string, path: string, display: string): Promise<SourceEntry> {
  try {
    if ((await lstat(file)).isSymbolicLink()) return { path, display, link: true };
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      // Sized by the file, not the cap, and not zero-filled: every byte used was read.
      const buffer = Buffer.allocUnsafe(Math.min(size, MAX_FILE_BYTES) + 1);
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return { path, display, bytes: buffer.subarray(0, filled), size: Math.max(size, filled) };
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unreadable(display, error);
  }
}

function unreadable(path: string, error: unknown): EnvironmentError {
  return new EnvironmentError(`cannot read ${path}: ${systemErrorText(error)}; nothing was written`, {
    cause: error,
  });
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}
