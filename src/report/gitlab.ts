/**
 * GitLab through `@gitbeaker/rest`: merge request notes, commit statuses, commits → merge requests.
 * gitbeaker follows the `Link` header across pages and retries 429 and 502 itself.
 *
 * GitLab keeps one status per name and pipeline and moves it through a state machine: posting the
 * state it already has is refused (400 "Cannot transition status via :succeed from :success"), so a
 * status is only posted when its state differs from the latest one.
 */
import {
  Commits,
  GitbeakerRequestError,
  GitbeakerRetryError,
  GitbeakerTimeoutError,
  MergeRequestNotes,
} from '@gitbeaker/rest';
import {
  providerFailure,
  statusDescription,
  type CodeHost,
  type Comment,
  type CommitState,
  type NotFoundHint,
  type CommitStatus,
  type PullRequestRef,
} from './provider.ts';

export const GITLAB_URL = 'https://gitlab.com';

export interface GitLabOptions {
  /** `group/project` (subgroups included) or the numeric project id. */
  project: string;
  token: string;
  /** Instance URL (without `/api/v4`). @default "https://gitlab.com" */
  url?: string;
  /** What a 404 tells the user to check, in the caller's terms (its flags); see {@link NotFoundHint}. */
  notFound: NotFoundHint;
}

type GitLabState = 'pending' | 'running' | 'success' | 'failed' | 'canceled';

const TO_GITLAB: Record<CommitState, GitLabState> = {
  pending: 'pending',
  success: 'success',
  failure: 'failed',
  error: 'failed',
};

function fromGitLab(state: string): CommitState {
  if (state === 'success') return 'success';
  if (state === 'failed' || state === 'canceled') return 'failure';
  return 'pending';
}

export class GitLabHost implements CodeHost {
  readonly provider = 'gitlab' as const;
  readonly repository: string;
  readonly #notes: MergeRequestNotes;
  readonly #commits: Commits;
  readonly #notFound: NotFoundHint;

  constructor(options: GitLabOptions) {
    this.repository = options.project;
    this.#notFound = options.notFound;
    const settings = { host: (options.url ?? GITLAB_URL).replace(/\/+$/, ''), token: options.token };
    this.#notes = new MergeRequestNotes(settings);
    this.#commits = new Commits(settings);
  }

  async comments(number: number): Promise<Comment[]> {
    const notes = await this.#call(`list notes of ${this.#mr(number)}`, () =>
      this.#notes.all(this.repository, number, { perPage: 100, sort: 'asc', orderBy: 'created_at' }),
    );
    return notes.map((note) => ({ id: note.id, body: note.body }));
  }

  async createComment(number: number, body: string): Promise<Comment> {
    const note = await this.#call(`comment on ${this.#mr(number)}`, () =>
      this.#notes.create(this.repository, number, body),
    );
    return { id: note.id, body: note.body };
  }

  async updateComment(number: number, id: number, body: string): Promise<void> {
    await this.#call(`update note ${id} on ${this.#mr(number)}`, () =>
      this.#notes.edit(this.repository, number, id, { body }),
    );
  }

  async deleteComment(number: number, id: number): Promise<void> {
    await this.#call(`delete note ${id} on ${this.#mr(number)}`, () =>
      this.#notes.remove(this.repository, number, id),
    );
  }

  async setStatus(sha: string, status: CommitStatus): Promise<void> {
    const what = `set status ${status.context} on ${sha.slice(0, 12)} in ${this.repository}`;
    const latest = await this.#call(what, () =>
      this.#commits.allStatuses(this.repository, sha, { name: status.context }),
    );
    const state = TO_GITLAB[status.state];
    if (latest.some((s) => s.name === status.context && s.status === state)) return;
    await this.#call(what, () =>
      this.#commits.editStatus(this.repository, sha, state, {
        name: status.context,
        description: statusDescription(status.description),
        ...(status.targetUrl === undefined ? {} : { targetUrl: status.targetUrl }),
      }),
    );
  }

  async statuses(sha: string): Promise<CommitStatus[]> {
    const found = await this.#call(`list statuses of ${sha.slice(0, 12)} in ${this.repository}`, () =>
      this.#commits.allStatuses(this.repository, sha, { all: true }),
    );
    return [...found]
      .sort((a, b) => b.id - a.id)
      .map((s) => ({
        context: s.name,
        state: fromGitLab(s.status),
        description: s.description ?? '',
        ...(s.target_url ? { targetUrl: s.target_url } : {}),
      }));
  }

  async pullRequestsOf(sha: string): Promise<PullRequestRef[]> {
    const found = await this.#call(`merge requests of ${sha.slice(0, 12)} in ${this.repository}`, () =>
      this.#commits.allMergeRequests(this.repository, sha),
    );
    return found.map((mr) => ({
      number: mr.iid,
      state: mr.state === 'merged' ? 'merged' : mr.state === 'opened' ? 'open' : 'closed',
    }));
  }

  #mr(number: number): string {
    return `${this.repository}!${number}`;
  }

  async #call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof GitbeakerRequestError) {
        const response = error.cause?.response;
        const retryAfter = Number(response?.headers.get('retry-after'));
        throw providerFailure(
          'gitlab',
          what,
          response?.status,
          error.cause?.description ?? error.message,
          error,
          {
            retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
            notFound: this.#notFound,
          },
        );
      }
      const notFound = this.#notFound;
      if (error instanceof GitbeakerRetryError || error instanceof GitbeakerTimeoutError) {
        throw providerFailure('gitlab', what, undefined, error.message, error, { notFound });
      }
      // fetch itself failed: DNS, refused connection, TLS
      throw providerFailure('gitlab', what, undefined, describe(error), error, { notFound });
    }
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
