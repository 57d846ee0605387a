/**
 * What `npx cdk8s synth` needs to keep `kaito-gitops synth`'s guarantees: the cdk8s CLI deletes its
 * output directory before it starts the app, so the app first puts the previous output back, then runs
 * the same `synth` over it, then keeps a copy for next time.
 *
 * Where the previous output comes from:
 * 1. the output directory as committed at git HEAD, when the directory is inside a git work tree and
 *    HEAD holds it: every committed file is put back byte for byte (hand-written files included), so
 *    the kept output is the committed, deployed one;
 * 2. otherwise the copy of the last tree this route wrote, kept outside the emptied directory in the
 *    user cache directory (`<cache>/cdk8s/<hash of the output path>`, see cache-dir.ts); it holds
 *    the files kaito-gitops wrote, not hand-written ones.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import git from 'isomorphic-git';
import { readTree, writeTree } from '../render/index.ts';

/** Where this route keeps its copy of the tree it wrote to `out` (an absolute path). */
export function copyDirFor(cacheDir: string, out: string): string {
  return join(cacheDir, 'cdk8s', createHash('sha256').update(out).digest('hex').slice(0, 16));
}

/**
 * Puts the previous output back into the (emptied) directory `out`: from git HEAD when it holds the
 * directory (`cwd` locates the work tree), else from the copy in `copyDir`, else nothing (a first run).
 */
export async function restorePrevious(out: string, cwd: string, copyDir: string): Promise<void> {
  const committed = await committedFiles(out, cwd);
  if (committed !== undefined && committed.size > 0) {
    for (const [path, bytes] of committed) {
      const target = join(out, ...path.split('/'));
      fs.mkdirSync(dirname(target), { recursive: true });
      fs.writeFileSync(target, bytes);
    }
    return;
  }
  const copy = readTree(copyDir);
  if (copy.inventory !== undefined) writeTree(out, copy.tree);
}

/** After a run: the copy holds what `out` now holds of kaito-gitops' tree. */
export function keepCopy(out: string, copyDir: string): void {
  const now = readTree(out);
  if (now.inventory === undefined) return;
  writeTree(copyDir, now.tree, readTree(copyDir).inventory);
}

/**
 * Every file under `out` as committed at HEAD (paths relative to `out`); undefined when `out` is not
 * inside a git work tree, the repository has no commit, or HEAD does not hold the directory.
 */
async function committedFiles(out: string, cwd: string): Promise<Map<string, Uint8Array> | undefined> {
  let root: string;
  try {
    root = await git.findRoot({ fs, filepath: cwd });
  } catch {
    return undefined;
  }
  const inside = relative(root, out).split(sep).join('/');
  if (inside === '' || inside.startsWith('..') || inside.startsWith('/')) return undefined;
  let oid: string;
  try {
    const head = await git.resolveRef({ fs, dir: root, ref: 'HEAD' });
    oid = (await git.readTree({ fs, dir: root, oid: head, filepath: inside })).oid;
  } catch {
    return undefined; // no commit yet, or HEAD does not hold the directory
  }
  const files = new Map<string, Uint8Array>();
  const walk = async (tree: string, prefix: string): Promise<void> => {
    for (const entry of (await git.readTree({ fs, dir: root, oid: tree })).tree) {
      const path = prefix === '' ? entry.path : `${prefix}/${entry.path}`;
      if (entry.type === 'tree') await walk(entry.oid, path);
      else if (entry.type === 'blob')
        files.set(path, (await git.readBlob({ fs, dir: root, oid: entry.oid })).blob);
    }
  };
  await walk(oid, '');
  return files;
}
