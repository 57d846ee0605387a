/**
 * Writes live status to the code host, beside reconciliation and never inside it. `observe` is
 * synchronous and only records the newest state; one worker drains a queue of coalesced jobs (one per
 * Workspace status, one per pull request comment), one job at a time with a gap between jobs, and
 * retries failures with backoff. So a slow or failing provider delays nothing but its own writes.
 *
 * Writes happen only on a change of state (pending, success, failure; for a failure, of its reason
 * too), and are idempotent across restarts: before the first status for a commit, the statuses already
 * on it are read, and a status the same as the newest one for its context is not written again (nor any once GitHub's 1,000 per commit and context are used up); the comment's
 * status section is written only when its text changes.
 */
import { errorText, type Logger } from '../observe/index.ts';
import { keyOf } from '../api/index.ts';
import { TransientError } from '../errors.ts';
import {
  STATUS_SECTION_LIMIT,
  liveCommitStatus,
  repositoryPath,
  statusSection,
  type LiveState,
} from './live-status.ts';
import { STATUSES_PER_CONTEXT_LIMIT, type CodeHost, type CommitStatus } from './provider.ts';
import { writeSection } from './sticky-comment.ts';

export interface LiveStatusOptions {
  /** The code host of a repository path (`owner/repo`, `group/project`). */
  hostFor(repository: string): CodeHost;
  logger: Logger;
  /** Gap between two jobs. @default 1000 */
  minIntervalMs?: number;
  /** First retry delay; doubles up to `maxRetryMs`. @default 2000 */
  retryMs?: number;
  /** @default 300000 */
  maxRetryMs?: number;
}

const MAX_CACHED_COMMITS = 1000;

type Job = { kind: 'status'; workspace: string } | { kind: 'comment'; repository: string; number: number };

interface Queued {
  job: Job;
  due: number;
  attempts: number;
}

export class LiveStatusPublisher {
  readonly #options: LiveStatusOptions;
  /** Newest observed state per Workspace key. */
  readonly #states = new Map<string, LiveState>();
  /** What was last written (or found already written) per Workspace key. */
  readonly #published = new Map<string, string>();
  /** Statuses on a commit, per `repository@sha`, newest first; read once, then kept up to date. */
  readonly #statuses = new Map<string, CommitStatus[]>();
  /** Merged pull requests of a commit, per `repository@sha`. */
  readonly #pulls = new Map<string, number[]>();
  readonly #hosts = new Map<string, CodeHost>();
  readonly #queue = new Map<string, Queued>();
  readonly #warned = new Set<string>();
  #running: Promise<void> | undefined;
  /** Requests sent to code hosts; the gap between jobs follows only jobs that sent one. */
  #requests = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #idle: (() => void)[] = [];

  constructor(options: LiveStatusOptions) {
    this.#options = options;
  }

  /** Records `state`; queues a status write when it differs from what was written. Never blocks. */
  observe(state: LiveState): void {
    if (this.#stopped) return;
    const key = keyOf(state);
    this.#states.set(key, state);
    if (this.#published.get(key) === fingerprint(state)) return;
    this.#enqueue({ kind: 'status', workspace: key });
  }

  /** The Workspace is gone: nothing more to write for it. */
  forget(namespace: string, name: string): void {
    const key = keyOf({ namespace, name });
    this.#states.delete(key);
    this.#published.delete(key);
    this.#queue.delete(`status:${key}`);
  }

  /** Resolves when nothing is queued or running (tests). */
  idle(): Promise<void> {
    if (this.#queue.size === 0 && this.#running === undefined) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Drops what is queued and waits for the job in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#queue.clear();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#running;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  #enqueue(job: Job, due = Date.now(), attempts = 0): void {
    const id = job.kind === 'status' ? `status:${job.workspace}` : `comment:${job.repository}#${job.number}`;
    const queued = this.#queue.get(id);
    if (queued === undefined || attempts > 0) this.#queue.set(id, { job, due, attempts });
    this.#kick();
  }

  #kick(): void {
    if (this.#running !== undefined || this.#stopped) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      this.#afterDrain();
    });
  }

  #afterDrain(): void {
    if (this.#stopped) return;
    if (this.#queue.size === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
      return;
    }
    const next = Math.min(...[...this.#queue.values()].map((q) => q.due));
    this.#timer = setTimeout(() => this.#kick(), Math.max(0, next - Date.now()));
    this.#timer.unref();
  }

  async #drain(): Promise<void> {
    const gap = this.#options.minIntervalMs ?? 1000;
    for (;;) {
      if (this.#stopped) return;
      const now = Date.now();
      const entry = [...this.#queue.entries()].find(([, q]) => q.due <= now);
      if (entry === undefined) return;
      const [id, queued] = entry;
      this.#queue.delete(id);
      const requests = this.#requests;
      try {
        await (queued.job.kind === 'status'
          ? this.#writeStatus(queued.job.workspace)
          : this.#writeComment(queued.job.repository, queued.job.number));
      } catch (error) {
        this.#failed(queued, error);
      }
      if (gap > 0 && this.#requests > requests)
        await new Promise((resolve) => setTimeout(resolve, gap).unref());
    }
  }

  #failed(queued: Queued, error: unknown): void {
    const { logger, retryMs = 2000, maxRetryMs = 300_000 } = this.#options;
    if (!(error instanceof TransientError)) {
      // a refused token or a missing repository: retrying will not help; the next change tries again
      logger.log('error', 'live status not written', { job: queued.job, error: errorText(error) });
      return;
    }
    const backoff = Math.min(maxRetryMs, retryMs * 2 ** queued.attempts);
    const delay = Math.max(backoff, (error.retryAfterSeconds ?? 0) * 1000);
    logger.log('warn', 'live status not written; retrying', {
      job: queued.job,
      error: errorText(error),
      retryInMs: delay,
    });
    if (queued.job.kind === 'status' && this.#queue.has(`status:${queued.job.workspace}`)) return;
    this.#enqueue(queued.job, Date.now() + delay, queued.attempts + 1);
  }

  async #writeStatus(key: string): Promise<void> {
    const state = this.#states.get(key);
    if (state === undefined || this.#published.get(key) === fingerprint(state)) return;
    const repository = repositoryPath(state.repository);
    if (repository === undefined) {
      this.#warnOnce(`repository:${state.repository}`, 'not a repository URL kaito-gitops can report to', {
        workspace: key,
        repository: state.repository,
      });
      return;
    }
    const host = this.#host(repository);
    const status = liveCommitStatus(state);
    const cacheKey = `${repository}@${state.commit}`;
    let existing = this.#statuses.get(cacheKey);
    if (existing === undefined) {
      this.#requests++;
      existing = await host.statuses(state.commit);
      this.#statuses.set(cacheKey, existing);
    }
    const same = existing.filter((s) => s.context.toLowerCase() === status.context.toLowerCase());
    const newest = same[0];
    if (newest !== undefined && sameStatus(newest, status)) {
      // already there (written before a restart)
    } else if (same.length >= STATUSES_PER_CONTEXT_LIMIT) {
      this.#warnOnce(
        cacheKey + status.context,
        'no more statuses for this commit and context (GitHub keeps 1,000)',
        {
          workspace: key,
          commit: state.commit,
        },
      );
    } else {
      this.#requests++;
      await host.setStatus(state.commit, status);
      existing.unshift(status);
    }
    this.#published.set(key, fingerprint(state));
    this.#prune();
    for (const number of await this.#pullsOf(host, repository, state.commit)) {
      this.#enqueue({ kind: 'comment', repository, number });
    }
  }

  async #pullsOf(host: CodeHost, repository: string, commit: string): Promise<number[]> {
    const cacheKey = `${repository}@${commit}`;
    let numbers = this.#pulls.get(cacheKey);
    if (numbers === undefined) {
      this.#requests++;
      const pulls = await host.pullRequestsOf(commit);
      numbers = pulls.filter((p) => p.state === 'merged').map((p) => p.number);
      this.#pulls.set(cacheKey, numbers);
    }
    return numbers;
  }

  /** The status section of pull request `number`: every Workspace whose commit that pull request merged. */
  async #writeComment(repository: string, number: number): Promise<void> {
    const rows = [...this.#states.values()].filter(
      (s) =>
        repositoryPath(s.repository) === repository &&
        (this.#pulls.get(`${repository}@${s.commit}`) ?? []).includes(number),
    );
    if (rows.length === 0) return;
    this.#requests++;
    await writeSection(this.#host(repository), number, 'status', (budget) =>
      statusSection(rows, Math.min(budget, STATUS_SECTION_LIMIT)),
    );
  }

  #host(repository: string): CodeHost {
    let host = this.#hosts.get(repository);
    if (host === undefined) {
      host = this.#options.hostFor(repository);
      this.#hosts.set(repository, host);
    }
    return host;
  }

  /** Keeps the per-commit caches to the commits Workspaces are on now. */
  #prune(): void {
    if (this.#statuses.size + this.#pulls.size < 2 * MAX_CACHED_COMMITS) return;
    const live = new Set(
      [...this.#states.values()].map((s) => `${repositoryPath(s.repository)}@${s.commit}`),
    );
    for (const cache of [this.#statuses, this.#pulls]) {
      for (const key of cache.keys()) if (!live.has(key)) cache.delete(key);
    }
  }

  #warnOnce(id: string, message: string, fields: Record<string, unknown>): void {
    if (this.#warned.has(id)) return;
    this.#warned.add(id);
    this.#options.logger.log('warn', message, fields);
  }
}

/**
 * What counts as a change worth a status: the state, and for a failure its reason too (quota then image
 * pull are two different things to fix). While pending, the reason moves on every step of provisioning;
 * writing each would be the status spam GitHub's 1,000-per-context limit exists for.
 */
function sameStatus(a: CommitStatus, b: CommitStatus): boolean {
  return a.state === b.state && (a.state !== 'failure' || a.description === b.description);
}

function fingerprint(state: LiveState): string {
  const status = liveCommitStatus(state);
  return `${state.repository}@${state.commit}:${status.state}:${status.state === 'failure' ? status.description : ''}`;
}
