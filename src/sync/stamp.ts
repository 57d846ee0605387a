/**
 * Source annotations on each rendered Workspace object. `source-commit` names the commit at which that
 * workspace's output last changed, not the commit being rendered, so a one-spec change rewrites only
 * that workspace's directory: render with the previous stamps, and restamp only what changed.
 */
import { emitYaml, inventoryOf, type Tree } from '../render/index.ts';

export const SOURCE_REPOSITORY = 'kaito-gitops.io/source-repository';
export const SOURCE_PATH = 'kaito-gitops.io/source-path';
export const SOURCE_COMMIT = 'kaito-gitops.io/source-commit';

const COMMIT_LINE = /^(\s*)kaito-gitops\.io\/source-commit: ([0-9a-f]{40})$/m;

/** `namespace/name` → the source commit stamped on its Workspace object in `tree`. */
export function previousStamps(tree: Tree): Map<string, string> {
  const stamps = new Map<string, string>();
  for (const entry of inventoryOf(tree).workspaces) {
    for (const file of entry.files) {
      const match = COMMIT_LINE.exec(tree.get(file) ?? '');
      if (match?.[2] !== undefined) {
        stamps.set(`${entry.namespace}/${entry.name}`, match[2]);
        break;
      }
    }
  }
  return stamps;
}

/**
 * The workspace's files with its stamp changed from `from` to `to`, or undefined when that cannot be
 * done as a byte-exact edit (then the caller renders again). Exact when both values are emitted as the
 * same plain scalar form, which a single stamped line with equal-length values guarantees.
 */
export function restamp(
  files: ReadonlyMap<string, string>,
  from: string,
  to: string,
): Map<string, string> | undefined {
  if (!isPlain(from) || !isPlain(to) || from.length !== to.length) return undefined;
  const out = new Map(files);
  let edits = 0;
  for (const [path, text] of files) {
    const lines = text.split('\n');
    const hits = lines.filter((line) => line.trimStart() === `${SOURCE_COMMIT}: ${from}`).length;
    if (hits === 0) continue;
    if (hits > 1) return undefined;
    out.set(
      path,
      lines
        .map((line) => (line.trimStart() === `${SOURCE_COMMIT}: ${from}` ? line.replace(from, to) : line))
        .join('\n'),
    );
    edits++;
  }
  return edits === 1 ? out : undefined;
}

function isPlain(sha: string): boolean {
  return emitYaml({ [SOURCE_COMMIT]: sha }) === `${SOURCE_COMMIT}: ${sha}\n`;
}
