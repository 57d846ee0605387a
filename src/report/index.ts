/**
 * What other folders may use from report: the plan of a pull request as data and as the sticky
 * comment's Markdown, the code hosts (GitHub, GitLab), GitHub App tokens, and the one call the sync
 * server makes for a pull request.
 */
export type {
  ComparePlansOptions,
  PlanFieldChange,
  PlanReport,
  RefusedSpec,
  Totals,
  WorkspaceChange,
  WorkspaceChangeKind,
} from './plan-report.ts';
export { comparePlans } from './plan-report.ts';
export type { PlanMarkdownOptions, PlanRevisions } from './plan-markdown.ts';
export { planMarkdown } from './plan-markdown.ts';
export type { CommentSections, Section } from './comment-body.ts';
export {
  COMMENT_LIMIT,
  COMMENT_MARKER,
  composeComment,
  isStickyComment,
  parseComment,
} from './comment-body.ts';
export type {
  CodeHost,
  Comment,
  CommitState,
  CommitStatus,
  NotFoundHint,
  ProviderName,
  PullRequestRef,
} from './provider.ts';
export { ProviderError, STATUSES_PER_CONTEXT_LIMIT, STATUS_DESCRIPTION_LIMIT } from './provider.ts';
export type { GitHubAuth, GitHubOptions } from './github.ts';
export { GITHUB_API_URL, GitHubHost } from './github.ts';
export type { GitHubAppCredentials } from './github-app.ts';
export { InstallationTokenCache, githubAppTokens } from './github-app.ts';
export type { GitLabOptions } from './gitlab.ts';
export { GITLAB_URL, GitLabHost } from './gitlab.ts';
export type { StickyResult } from './sticky-comment.ts';
export { writeSection } from './sticky-comment.ts';
export type { PullRequestInput, PullRequestOutcome, Revision } from './pull-request.ts';
export { PLAN_STATUS_CONTEXT, planStatus, publishPlan, reportPullRequest } from './pull-request.ts';
export type { LiveState } from './live-status.ts';
export {
  STATUS_SECTION_LIMIT,
  liveCommitStatus,
  liveContext,
  repositoryPath,
  statusSection,
} from './live-status.ts';
export type { LiveStatusOptions } from './live-status-publisher.ts';
export { LiveStatusPublisher } from './live-status-publisher.ts';
