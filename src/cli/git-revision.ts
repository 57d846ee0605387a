/**
 * Reading spec files at a revision of the git checkout a command runs in (`report plan` in CI), with
 * the git CLI: CI checkouts are made with it, so it is there, and it understands every revision a user
 * may pass (`origin/main`, `HEAD~1`, abbreviated ids) and shallow or partial clones, which
 * isomorphic-git does not. Two processes per revision: `ls-tree` lists, one `cat-file --batch` reads.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { MAX_FILE_BYTES, type SourceFile } from '../api/index.ts';
import { KaitoGitopsError, UsageError } from '../errors.ts';

const run = promisify(execFile);
const SPEC_FILE = /\.ya?ml$/;

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
 * Every `*.yaml` / `*.yml` file under `dir` (repository-relative, '' for the root) at `commit`, paths
 * repository-relative, in the order `synth` reads a directory. Hidden entries and symbolic links are
 * skipped, as `synth` skips them; a file over the loader's limit is cut just past it, so the loader
 * still names it as too large.
 */
export async function specsAt(cwd: string, commit: string, dir: string): Promise<SourceFile[]> {
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
  const blobs: { oid: string; path: string }[] = [];
  for (const entry of listing.split('\0')) {
    const match = /^(\d{6}) (\w+) ([0-9a-f]+)\t(.+)$/s.exec(entry);
    if (match === null) continue;
    const [, mode, type, oid = '', path = ''] = match;
    const relative = prefix === '' ? path : path.slice(prefix.length + 1);
    if (type !== 'blob' || mode === '120000' || !SPEC_FILE.test(path)) continue;
    if (relative.split('/').some((part) => part.startsWith('.'))) continue;
    blobs.push({ oid, path });
  }
  blobs.sort((a, b) => compareSegments(a.path, b.path));
  const contents = await readBlobs(
    cwd,
    blobs.map((b) => b.oid),
  );
  return blobs.map((blob, i) => ({ path: blob.path, content: contents[i] ?? '' }));
}

/** `git cat-file --batch`: every blob in one process. */
async function readBlobs(cwd: string, oids: readonly string[]): Promise<string[]> {
  if (oids.length === 0) return [];
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
  const texts: string[] = [];
  let at = 0;
  for (const oid of oids) {
    const newline = out.indexOf(0x0a, at);
    const header = out.subarray(at, newline).toString('utf8');
    const size = Number(/^[0-9a-f]+ blob (\d+)$/.exec(header)?.[1]);
    if (!Number.isInteger(size))
      throw new KaitoGitopsError(`git cat-file: unexpected answer for ${oid}: ${header}`);
    const start = newline + 1;
    texts.push(out.subarray(start, start + Math.min(size, MAX_FILE_BYTES + 1)).toString('utf8'));
    at = start + size + 1;
  }
  return texts;
}

/** Directory by directory, names in byte order: the order `readSources` walks a tree on disk. */
function compareSegments(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] ?? '';
    const q = y[i] ?? '';
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length - y.length;
}
