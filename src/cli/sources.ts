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
}

/** The spec files of each path (a directory is walked, a file is taken as it is). */
export async function readSources(
  paths: readonly string[],
  cwd: string,
  options: ReadOptions = {},
): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
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
        files.push(await readSpec(file, options.paths === 'typed' ? typed : inside, typed));
      }
    } else {
      const typed = toPosix(path);
      files.push(await readSpec(full, options.paths === 'typed' ? typed : basename(full), typed));
    }
  }
  return files;
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
      const buffer = Buffer.alloc(Math.min(size, MAX_FILE_BYTES) + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return sourceFile(path, buffer.subarray(0, bytesRead), { size: Math.max(size, bytesRead), display });
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
