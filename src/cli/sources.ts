/**
 * Reading Workspace specs from disk: every `*.yaml`/`*.yml` under a directory (or the files named),
 * in a fixed order, with paths relative to the directory as messages show them. Hidden entries and
 * symbolic links are skipped, so a link can never pull a file from outside the source tree in.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { MAX_FILE_BYTES, type SourceFile } from '../api/index.ts';
import { UsageError } from '../errors.ts';

const SPEC_FILE = /\.ya?ml$/;

/** The spec files of each path (a directory is walked, a file is taken as it is). */
export async function readSources(paths: readonly string[], cwd: string): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for (const path of paths) {
    const full = resolve(cwd, path);
    const info = await stat(full).catch(() => undefined);
    if (info === undefined) throw new UsageError(`${path}: no such file or directory`);
    if (info.isDirectory()) {
      for (const file of await walk(full))
        files.push({ path: toPosix(relative(full, file)), content: await readCapped(file) });
    } else {
      files.push({ path: basename(full), content: await readCapped(full) });
    }
  }
  return files;
}

async function walk(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(path)));
    else if (entry.isFile() && SPEC_FILE.test(entry.name)) found.push(path);
  }
  return found;
}

/**
 * Reads at most one byte more than the loader accepts: an oversized file still gets the loader's
 * "too large" problem, without this process reading gigabytes first.
 */
async function readCapped(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}
