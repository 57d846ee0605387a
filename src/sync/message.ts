/**
 * The deploy commit's message: a subject a person can scan in `git log`, the specs that failed (their
 * workspaces kept their last good output), and a `Source-Commit` trailer that tools and the next pass
 * read to tell which source the tree renders.
 */
import type { HydrateResult } from '../pipeline.ts';

export const SOURCE_COMMIT_TRAILER = 'Source-Commit';

export function commitMessage(
  sourceCommit: string,
  result: Pick<HydrateResult, 'workspaces' | 'errors'>,
): string {
  const present = result.workspaces.filter((w) => w.status !== 'removed').length;
  const changed = result.workspaces.filter((w) => w.status === 'rendered' || w.status === 'removed').length;
  const lines = [`hydrate: ${sourceCommit} (${present} workspaces, ${changed} changed)`, ''];
  if (result.errors.length > 0) {
    lines.push('Failed specs (their workspaces keep their last good output):');
    for (const error of result.errors) {
      for (const line of error.message.split('\n')) lines.push(`- ${line}`);
    }
    lines.push('');
  }
  lines.push(`${SOURCE_COMMIT_TRAILER}: ${sourceCommit}`);
  return lines.join('\n') + '\n';
}

/** The `Source-Commit` trailer of a commit message, if it has one. */
export function sourceCommitOf(message: string): string | undefined {
  const match = /^Source-Commit: ([0-9a-f]{40})\s*$/m.exec(message);
  return match?.[1];
}
