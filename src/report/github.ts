/**
 * GitHub through `@octokit/rest`: issue comments of a pull request, commit statuses, commits → pull
 * requests. `@octokit/plugin-throttling` does what GitHub asks of integrations: one write at a time,
 * spaced, and on a rate limit (403/429 with `Retry-After` or `x-ratelimit-reset`) it waits as told and
 * tries again, up to a bound. Authentication is a token or a GitHub App installation (github-app.ts).
 */
import { Octokit } from '@octokit/rest';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import type { Logger } from '../observe/index.ts';
import { githubAppAuthStrategy, type GitHubAppCredentials } from './github-app.ts';
import {
  providerFailure,
  statusDescription,
  type CodeHost,
  type NotFoundHint,
  type Comment,
  type CommitStatus,
  type PullRequestRef,
} from './provider.ts';

export const GITHUB_API_URL = 'https://api.github.com';

export type GitHubAuth = { token: string } | { app: GitHubAppCredentials };

export interface GitHubOptions {
  /** `owner/repo`. */
  repository: string;
  auth: GitHubAuth;
  /** REST API root; GitHub Enterprise Server: `https://HOST/api/v3`. @default "https://api.github.com" */
  apiUrl?: string;
  /** Longest rate-limit wait accepted before the request fails. @default 120 */
  maxRateLimitWaitSeconds?: number;
  /** Rate-limited retries of one request. @default 3 */
  maxRateLimitRetries?: number;
  /** Gap between two writes (GitHub: "wait at least one second between each request"). @default 1000 */
  writeSpacingMs?: number;
  /** Rate-limit waits and Octokit's own warnings. */
  logger?: Logger;
  /** What a 404 tells the user to check, in the caller's terms (its flags); see {@link NotFoundHint}. */
  notFound: NotFoundHint;
}

const ThrottledOctokit = Octokit.plugin(throttling);

export class GitHubHost implements CodeHost {
  readonly provider = 'github' as const;
  readonly repository: string;
  readonly #owner: string;
  readonly #repo: string;
  readonly #octokit: InstanceType<typeof ThrottledOctokit>;
  readonly #apiUrl: string;
  readonly #notFound: NotFoundHint;

  constructor(options: GitHubOptions) {
    const [owner = '', repo = ''] = options.repository.split('/');
    this.repository = options.repository;
    this.#notFound = options.notFound;
    this.#owner = owner;
    this.#repo = repo;
    const logger = options.logger;
    const maxWait = options.maxRateLimitWaitSeconds ?? 120;
    const maxRetries = options.maxRateLimitRetries ?? 3;
    const spacing = options.writeSpacingMs ?? 1000;
    const onLimit =
      (kind: string) =>
      (
        retryAfter: number,
        request: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        const retry = retryCount < maxRetries && retryAfter <= maxWait;
        logger?.log('warn', `GitHub ${kind} rate limit`, {
          request: `${request.method} ${request.url}`,
          retryAfterSeconds: retryAfter,
          retrying: retry,
        });
        return retry;
      };
    this.#apiUrl = (options.apiUrl ?? GITHUB_API_URL).replace(/\/+$/, '');
    this.#octokit = new ThrottledOctokit({
      baseUrl: this.#apiUrl,
      userAgent: 'kaito-gitops',
      ...('token' in options.auth
        ? { auth: options.auth.token }
        : githubAppAuthStrategy(options.auth.app, logger)),
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message: string) => logger?.log('warn', message),
        // Octokit logs every failed request here; the error thrown to the caller says the same.
        error: () => undefined,
      },
      throttle: {
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: spacing }),
        notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: spacing }),
      },
    });
  }

  async comments(number: number): Promise<Comment[]> {
    const found = await this.#call(`list comments of ${this.#pr(number)}`, () =>
      this.#octokit.paginate(this.#octokit.rest.issues.listComments, {
        owner: this.#owner,
        repo: this.#repo,
        issue_number: number,
        per_page: 100,
      }),
    );
    return found.map((c) => ({ id: c.id, body: c.body ?? '' }));
  }

  async createComment(number: number, body: string): Promise<Comment> {
    const { data } = await this.#call(`comment on ${this.#pr(number)}`, () =>
      this.#octokit.rest.issues.createComment({
        owner: this.#owner,
        repo: this.#repo,
        issue_number: number,
        body,
      }),
    );
    return { id: data.id, body: data.body ?? '' };
  }

  async updateComment(number: number, id: number, body: string): Promise<void> {
    await this.#call(`update comment ${id} on ${this.#pr(number)}`, () =>
      this.#octokit.rest.issues.updateComment({ owner: this.#owner, repo: this.#repo, comment_id: id, body }),
    );
  }

  async deleteComment(number: number, id: number): Promise<void> {
    await this.#call(`delete comment ${id} on ${this.#pr(number)}`, () =>
      this.#octokit.rest.issues.deleteComment({ owner: this.#owner, repo: this.#repo, comment_id: id }),
    );
  }

  async setStatus(sha: string, status: CommitStatus): Promise<void> {
    await this.#call(`set status ${status.context} on ${sha.slice(0, 12)} in ${this.repository}`, () =>
      this.#octokit.rest.repos.createCommitStatus({
        owner: this.#owner,
        repo: this.#repo,
        sha,
        state: status.state,
        context: status.context,
        description: statusDescription(status.description),
        ...(status.targetUrl === undefined ? {} : { target_url: status.targetUrl }),
      }),
    );
  }

  async statuses(sha: string): Promise<CommitStatus[]> {
    const found = await this.#call(`list statuses of ${sha.slice(0, 12)} in ${this.repository}`, () =>
      this.#octokit.paginate(this.#octokit.rest.repos.listCommitStatusesForRef, {
        owner: this.#owner,
        repo: this.#repo,
        ref: sha,
        per_page: 100,
      }),
    );
    return found.map((s) => ({
      context: s.context,
      state: s.state as CommitStatus['state'],
      description: s.description ?? '',
      ...(s.target_url ? { targetUrl: s.target_url } : {}),
    }));
  }

  async pullRequestsOf(sha: string): Promise<PullRequestRef[]> {
    const { data } = await this.#call(`pull requests of ${sha.slice(0, 12)} in ${this.repository}`, () =>
      this.#octokit.rest.repos.listPullRequestsAssociatedWithCommit({
        owner: this.#owner,
        repo: this.#repo,
        commit_sha: sha,
        per_page: 100,
      }),
    );
    return data.map((pr) => ({
      number: pr.number,
      state: pr.merged_at ? 'merged' : pr.state === 'open' ? 'open' : 'closed',
    }));
  }

  #pr(number: number): string {
    return `${this.repository}#${number}`;
  }

  async #call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const { status, message, headers } = requestFailure(error, this.#apiUrl);
      const retryAfter = Number(headers['retry-after']);
      throw providerFailure('github', what, status, message, error, {
        retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
        notFound: this.#notFound,
      });
    }
  }
}

/**
 * What an Octokit RequestError says, without its request (it holds the token). A request that got no
 * answer at all (Octokit calls it status 500) is a network failure: no status.
 */
function requestFailure(
  error: unknown,
  apiUrl: string,
): {
  status: number | undefined;
  message: string;
  headers: Record<string, string | number | undefined>;
} {
  const e = error as {
    status?: unknown;
    message?: unknown;
    response?: { headers?: Record<string, string | number | undefined>; data?: { message?: unknown } };
  };
  if (e.response === undefined) {
    const detail = typeof e.message === 'string' ? e.message : String(error);
    return { status: undefined, message: `cannot reach ${apiUrl}: ${detail}`, headers: {} };
  }
  const status = typeof e.status === 'number' && e.status > 0 ? e.status : undefined;
  const message =
    typeof e.response?.data?.message === 'string'
      ? e.response.data.message
      : typeof e.message === 'string'
        ? e.message
        : String(error);
  return { status, message, headers: e.response?.headers ?? {} };
}
