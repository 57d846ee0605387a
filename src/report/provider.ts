/**
 * A code host as kaito-gitops uses it: comments on one pull request (merge request), commit statuses,
 * and which pull requests a commit belongs to. One implementation per provider (github.ts, gitlab.ts),
 * each a thin layer over the provider's maintained SDK; everything above it is provider-neutral.
 */
import { KaitoGitopsError, TransientError } from '../errors.ts';

export type ProviderName = 'github' | 'gitlab';

/** GitHub's states; GitLab's `failed` is `failure` here, its `running` is `pending`. */
export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  /** `kaito-gitops/plan`, `kaito-gitops/<namespace>/<name>` (GitLab calls it the status name). */
  context: string;
  state: CommitState;
  /** One line; cut to {@link STATUS_DESCRIPTION_LIMIT} characters. */
  description: string;
  targetUrl?: string;
}

/** GitHub keeps the first 140 characters of a status description; GitLab allows more. */
export const STATUS_DESCRIPTION_LIMIT = 140;

/** GitHub answers 422 after this many statuses for one commit and context. */
export const STATUSES_PER_CONTEXT_LIMIT = 1000;

export interface Comment {
  id: number;
  body: string;
}

export interface PullRequestRef {
  number: number;
  /** `open`, `closed` or `merged` (GitHub reports merged pull requests as closed with a merge time). */
  state: 'open' | 'closed' | 'merged';
}

export interface CodeHost {
  readonly provider: ProviderName;
  /** `owner/repo` or `group/project`, for messages. */
  readonly repository: string;
  /** Every comment on pull request `number`, oldest first, across all pages. */
  comments(number: number): Promise<Comment[]>;
  createComment(number: number, body: string): Promise<Comment>;
  updateComment(number: number, id: number, body: string): Promise<void>;
  deleteComment(number: number, id: number): Promise<void>;
  setStatus(sha: string, status: CommitStatus): Promise<void>;
  /** Statuses of `sha`, newest first (all contexts), across all pages. */
  statuses(sha: string): Promise<CommitStatus[]>;
  /** Pull requests that contain `sha` (for a merge commit: the one it merged). */
  pullRequestsOf(sha: string): Promise<PullRequestRef[]>;
}

/** The code host refused a request in a way retrying will not fix (bad token, no permission, not found). */
export class ProviderError extends KaitoGitopsError {
  override name = 'ProviderError';
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }
}

const PROVIDER_TITLES: Record<ProviderName, string> = { github: 'GitHub', gitlab: 'GitLab' };

/**
 * What to check when the code host answers 404 Not Found, in the terms of whoever named the repository
 * and the pull request: `report plan` its `--github`/`--gitlab` and `--pr`/`--mr` flags, the sync server
 * its `--source` and the webhook, the agent the Workspace's source annotation. Completes "check ...".
 */
export type NotFoundHint = string;

/**
 * One line for a failed request, classified: 429, 5xx and network failures are transient (retry
 * later), anything else is a {@link ProviderError} with what to check.
 */
export function providerFailure(
  provider: ProviderName,
  what: string,
  status: number | undefined,
  detail: string,
  cause: unknown,
  options: { retryAfterSeconds?: number | undefined; notFound: NotFoundHint },
): KaitoGitopsError {
  const title = PROVIDER_TITLES[provider];
  const text = `${title}: ${what}: ${status === undefined ? '' : `${status} `}${oneLine(detail)}`.trim();
  if (status === undefined || status === 429 || status >= 500) {
    return new TransientError(text, options.retryAfterSeconds, { cause });
  }
  return new ProviderError(`${text}${hint(provider, status, options.notFound)}`, { status, cause });
}

function hint(provider: ProviderName, status: number, notFound: NotFoundHint): string {
  const token =
    provider === 'github'
      ? 'GITHUB_TOKEN, KAITO_GITOPS_GITHUB_TOKEN[_FILE] or the GitHub App settings'
      : 'KAITO_GITOPS_GITLAB_TOKEN[_FILE]';
  if (status === 401) return ` (the credentials were refused: check ${token})`;
  if (status === 403)
    return provider === 'github'
      ? ' (the token may not do this: it needs write access to pull requests and commit statuses; in GitHub Actions grant `permissions: pull-requests: write, statuses: write`)'
      : ' (the token may not do this: it needs the api scope and at least the Reporter role; Developer to set commit statuses)';
  if (status === 404) return ` (check ${notFound})`;
  return '';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** `description` as one line that fits the limit. */
export function statusDescription(text: string): string {
  const line = oneLine(text);
  return line.length <= STATUS_DESCRIPTION_LIMIT ? line : `${line.slice(0, STATUS_DESCRIPTION_LIMIT - 1)}…`;
}
