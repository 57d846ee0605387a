/**
 * The plan comment for one pull request, end to end: compare base and head, write the plan section
 * of the sticky comment, then set the `kaito-gitops/plan` status on the head commit (the comment first:
 * a reviewer who sees the status can read why). `report plan` and the sync server's pull-request
 * webhook both come through {@link reportPullRequest}.
 */
import type { Source } from '../api/index.ts';
import { formatPrice } from '../catalog/index.ts';
import { count } from './markdown-text.ts';
import { comparePlans, type ComparePlansOptions, type PlanReport } from './plan-report.ts';
import { planMarkdown } from './plan-markdown.ts';
import type { CodeHost, CommitStatus } from './provider.ts';
import { writeSection, type StickyResult } from './sticky-comment.ts';

/** Context of the status `report plan` sets on the head commit. */
export const PLAN_STATUS_CONTEXT = 'kaito-gitops/plan';

/**
 * One side of a pull request: the commit, and the spec directory at that commit as the caller read it,
 * the repository files beside the specs included, so each side is planned with its own (the display
 * names of the files are what the comment shows: repository-relative).
 */
export interface Revision extends Source {
  /** Commit id. */
  sha: string;
}

export interface PullRequestInput extends ComparePlansOptions {
  host: CodeHost;
  /** Pull request (GitHub) or merge request iid (GitLab) number. */
  number: number;
  /** The merge base of the pull request (what its diff is against). */
  base: Revision;
  head: Revision;
  /** The command the truncation note suggests for seeing everything. */
  fullCommand?: string;
}

export interface PullRequestOutcome {
  report: PlanReport;
  comment: StickyResult;
  status: CommitStatus;
}

/** Compares, comments and sets the status; provider failures throw (TransientError, ProviderError). */
export async function reportPullRequest(input: PullRequestInput): Promise<PullRequestOutcome> {
  const report = comparePlans(input.base, input.head, input);
  return publishPlan(input.host, input.number, report, {
    base: input.base.sha,
    head: input.head.sha,
    fullCommand: input.fullCommand,
  });
}

/** Writes an already computed report: the plan section of the comment, then the head's status. */
export async function publishPlan(
  host: CodeHost,
  number: number,
  report: PlanReport,
  revisions: { base: string; head: string; fullCommand?: string | undefined },
): Promise<PullRequestOutcome> {
  const comment = await writeSection(host, number, 'plan', (limit) =>
    planMarkdown(report, revisions, { limit, fullCommand: revisions.fullCommand }),
  );
  const status = planStatus(report);
  await host.setStatus(revisions.head, status);
  return { report, comment, status };
}

/** `failure` when any spec is refused, `success` otherwise, with a one-line description. */
export function planStatus(report: PlanReport): CommitStatus {
  const s = report.summary;
  if (s.refused > 0) {
    return {
      context: PLAN_STATUS_CONTEXT,
      state: 'failure',
      description: `${count(s.refused, 'spec')} refused: see the kaito-gitops comment`,
    };
  }
  const changed = s.added + s.changed + s.removed;
  const cost =
    s.base.costPerHour === s.head.costPerHour
      ? ''
      : `, ${formatPrice(s.base.costPerHour)} → ${formatPrice(s.head.costPerHour)}`;
  const gpus = s.base.gpus === s.head.gpus ? '' : `, GPUs ${s.base.gpus} → ${s.head.gpus}`;
  return {
    context: PLAN_STATUS_CONTEXT,
    state: 'success',
    description:
      changed === 0
        ? 'no Workspace changes'
        : `${count(changed, 'workspace')} to change (${s.added} added, ${s.changed} changed, ${s.removed} removed)${gpus}${cost}`,
  };
}
