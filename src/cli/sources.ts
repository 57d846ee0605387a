/**
 * Reading Workspace specs from disk: every `*.yaml`/`*.yml` (any case) under a directory, or the files
 * named, in a fixed order. Each file keeps two names: its path relative to the directory (what the
 * inventory records as a workspace's source) and the path as the user typed it (what messages show).
 * Hidden entries are skipped. A file that cannot be taken as YAML text (binary, not UTF-8, too large, a
 * symbolic link) is still returned, marked unreadable: it fails as a whole and keeps what it produced,
 * instead of looking deleted. A file or directory the system will not let us read is an
 * EnvironmentError (exit 3), before anything is written.
 */
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { basename, join, posix, relative, resolve, sep } from 'node:path';
import { MAX_FILE_BYTES, sourceFile, sourceLink, type SourceFile } from '../api/index.ts';
import { EnvironmentError, UsageError, systemErrorText } from '../errors.ts';

const SPEC_FILE = /\.ya?ml$/i;

export interface ReadOptions {
  /**
   * `root`: paths relative to each directory named (one source tree, as `synth` reads it); `typed`:
   * paths as the user typed them, so files of several directories never share a path. @default "root"
   */
  paths?: 'root' | 'typed';
  /** Told after each file is read, for a progress line. */
  onProgress?: (done: number, total: number) => void;
}

/** The spec files of each path (a directory is walked, a file is taken as it is). */
export async function readSources(
  paths: readonly string[],
  cwd: string,
  options: ReadOptions = {},
): Promise<SourceFile[]> {
  const found: { file: string; path: string; display: string }[] = [];
  for (const path of paths) {
    const full = resolve(cwd, path);
    const info = await stat(full).catch((error: unknown) => {
      if (isMissing(error)) throw new UsageError(`${path}: no such file or directory`, { cause: error });
      throw unreadable(path, error);
    });
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
  return inOrder(found, READS_IN_FLIGHT, async ({ file, path, display }) => {
    const spec = await readSpec(file, path, display);
    options.onProgress?.(++done, found.length);
    return spec;
  });
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

async function walk(dir: string, typed: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw unreadable(toPosix(typed), error);
  });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(path, join(typed, entry.name))));
    else if ((entry.isFile() || entry.isSymbolicLink()) && SPEC_FILE.test(entry.name)) found.push(path);
  }
  return found;
}

/**
 * Reads at most one byte more than the loader accepts: an oversized file still gets the loader's
 * "too large" problem, with its real size, without this process reading gigabytes first.
 */
async function readSpec(file: string, path: string, display: string): Promise<SourceFile> {
  try {
    if ((await lstat(file)).isSymbolicLink()) return sourceLink(path, display);
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
      return sourceFile(path, buffer.subarray(0, filled), { size: Math.max(size, filled), display });
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
