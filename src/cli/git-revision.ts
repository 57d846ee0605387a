/**
 * Reading a spec directory at a revision of the git checkout a command runs in (`report plan` in CI),
 * with the git CLI: CI checkouts are made with it, so it is there, and it understands every revision a
 * user may pass (`origin/main`, `HEAD~1`, abbreviated ids) and shallow or partial clones, which
 * isomorphic-git does not. Two processes per revision: `ls-tree` lists, one `cat-file --batch` reads.
 * Which paths are taken, and what a link or a binary file gets, is api's rule for every route.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import {
  MAX_FILE_BYTES,
  REPOSITORY_FILES,
  isSpecPath,
  sourceOf,
  type Source,
  type SourceEntry,
} from '../api/index.ts';
import { KaitoGitopsError, UsageError } from '../errors.ts';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new KaitoGitopsError('git is not installed (report plan reads the revisions with it)', {
        cause: error,
      });
    }
    throw error;
  }
}

/** The commit `ref` names in the checkout at `cwd`; a UsageError naming `flag` when there is none. */
export async function commitOf(cwd: string, ref: string, flag: string): Promise<string> {
  try {
    return (
      await git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])
    ).trim();
  } catch (error) {
    if (error instanceof KaitoGitopsError) throw error;
    const inside = await git(cwd, ['rev-parse', '--is-inside-work-tree']).then(
      () => true,
      () => false,
    );
    if (!inside) {
      throw new UsageError(
        `run report plan inside a git checkout of the source repository (${cwd} is not one)`,
        {
          cause: error,
        },
      );
    }
    throw new UsageError(
      `${flag} ${ref}: no such commit in this checkout; fetch it first (in CI: a full clone, e.g. actions/checkout with fetch-depth: 0)`,
      { cause: error },
    );
  }
}

/** The best common ancestor of two commits; undefined when the checkout does not have one (shallow). */
export async function mergeBase(cwd: string, a: string, b: string): Promise<string | undefined> {
  try {
    return (await git(cwd, ['merge-base', a, b])).trim() || undefined;
  } catch (error) {
    if (error instanceof KaitoGitopsError) throw error;
    return undefined;
  }
}

/**
 * The spec directory `dir` (repository-relative, '' for the root) at `commit`: its spec files and
 * repository files, paths relative to it, named in messages repository-relative. A file over the
 * loader's limit is cut just past it, so the loader still names it as too large, with its size.
 */
export async function sourceAt(cwd: string, commit: string, dir: string): Promise<Source> {
  const prefix = dir.replace(/^\.?\/+|\/+$/g, '');
  const listing = await git(cwd, [
    'ls-tree',
    '-r',
    '-z',
    '--full-tree',
    commit,
    '--',
    prefix === '' ? '.' : prefix,
  ]);
  const specs: Listed[] = [];
  const repository: Listed[] = [];
  for (const entry of listing.split('\0')) {
    const match = /^(\d{6}) (\w+) ([0-9a-f]+)\t(.+)$/s.exec(entry);
    if (match === null) continue;
    const [, mode, type, oid = '', display = ''] = match;
    if (type !== 'blob') continue;
    const path = prefix === '' ? display : display.slice(prefix.length + 1);
    const listed = { oid, path, display, link: mode === '120000' };
    if (isSpecPath(path)) specs.push(listed);
    else if (REPOSITORY_FILES.includes(path)) repository.push(listed);
  }
  const all = [...specs, ...repository];
  const contents = await readBlobs(
    cwd,
    all.filter((b) => !b.link).map((b) => b.oid),
  );
  const entry = ({ path, display, link, oid }: Listed): SourceEntry =>
    link ? { path, display, link } : { path, display, ...(contents.get(oid) ?? { bytes: new Uint8Array() }) };
  return sourceOf(specs.map(entry), repository.map(entry), prefix);
}

interface Listed {
  oid: string;
  /** Relative to the spec directory. */
  path: string;
  /** Repository-relative. */
  display: string;
  link: boolean;
}

/** `git cat-file --batch`: every blob in one process; bytes past the loader's limit + 1 are not kept. */
async function readBlobs(
  cwd: string,
  oids: readonly string[],
): Promise<Map<string, { bytes: Uint8Array; size: number }>> {
  const blobs = new Map<string, { bytes: Uint8Array; size: number }>();
  if (oids.length === 0) return blobs;
  const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
  child.stdin.end(oids.join('\n') + '\n');
  const code = await exited;
  if (code !== 0) throw new KaitoGitopsError(`git cat-file failed: ${stderr.trim()}`);
  const out = Buffer.concat(chunks);
  let at = 0;
  for (const oid of oids) {
    const newline = out.indexOf(0x0a, at);
    const header = out.subarray(at, newline).toString('utf8');
    const size = Number(/^[0-9a-f]+ blob (\d+)$/.exec(header)?.[1]);
    if (!Number.isInteger(size))
      throw new KaitoGitopsError(`git cat-file: unexpected answer for ${oid}: ${header}`);
    const start = newline + 1;
    blobs.set(oid, { bytes: out.subarray(start, start + Math.min(size, MAX_FILE_BYTES + 1)), size });
    at = start + size + 1;
  }
  return blobs;
}
