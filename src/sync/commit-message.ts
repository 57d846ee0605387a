/**
 * What a pass says about itself: the summary a SyncResult carries, and the deploy commit's message
 * (`hydrate: <sha> (<n> workspaces, <changed> changed)`, the refused specs, the trailers).
 */
import { formatProblem } from '../errors.ts';
import { errorReport, type ErrorReport, type HydrateResult } from '../pipeline.ts';
import type { ShardChanges } from '../render/index.ts';

export function summarize(result: HydrateResult, shards: ShardChanges) {
  const workspaces = result.workspaces;
  return {
    workspaces,
    workspaceCount: workspaces.filter((ws) => ws.status !== 'removed' && ws.status !== 'refused').length,
    changed: workspaces.filter((ws) => ws.status === 'rendered' || ws.status === 'removed').length,
    shards,
    errors: result.errors.map(errorReport),
  };
}

/**
 * `hydrate: <sha> (<n> workspaces, <changed> changed)`, the shards opened and retired, the refused specs,
 * then the trailers.
 */
export function commitMessage(
  sourceCommit: string,
  repository: string,
  summary: {
    workspaceCount: number;
    changed: number;
    shards: ShardChanges;
    errors: readonly ErrorReport[];
  },
): string {
  const lines = [
    `hydrate: ${sourceCommit} (${summary.workspaceCount} workspaces, ${summary.changed} changed)`,
    '',
  ];
  const { opened, retired } = summary.shards;
  if (opened.length > 0) lines.push(`Opened shards: ${opened.join(', ')}`);
  if (retired.length > 0) lines.push(`Retired shards: ${retired.join(', ')}`);
  if (opened.length > 0 || retired.length > 0) lines.push('');
  if (summary.errors.length > 0) {
    lines.push('Refused specs (a refused spec keeps the output it last rendered, if any):');
    for (const error of summary.errors) {
      for (const problem of error.problems) {
        lines.push(`- ${formatProblem(problem, error)}`);
      }
    }
    lines.push('');
  }
  lines.push(`Source-Commit: ${sourceCommit}`, `Source-Repository: ${repository}`, '');
  return lines.join('\n');
}
