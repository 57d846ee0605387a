/**
 * Pull-request reports, beside the sync loop and never inside it: their own queue, one report at a
 * time, so a push is never queued behind a code host. Coalesced per pull request: an event that
 * arrives while an older one of the same pull request waits takes its place (both are answered by the
 * one report), an event older than the last one reported (by the pull request's `updated_at`) is
 * answered by that report, and one for a head already reported does nothing. A report that failed
 * with a TransientError is tried again with the sync loop's backoff until it succeeds, a newer event
 * replaces it, or `maxRetries` ran out; any other failure stops it (logged; a redelivery or the next
 * push to the pull request tries again).
 */
import { TransientError } from '../errors.ts';
import type { Logger } from '../observe/index.ts';
import type { SyncMetrics } from './metrics.ts';
import type { PullRequestOutcome } from '../report/index.ts';
import { where, type PullRequestEvent } from './pull-request-event.ts';
import { retryDelay, withRetryDefaults, type RetryOptions } from './sync-loop.ts';

export type ReportOutcome =
  | {
      ok: true;
      /** The event whose report answers this one (this one, or a newer one of the same pull request). */
      event: PullRequestEvent;
      result: PullRequestOutcome;
      /** True when nothing ran: that head was reported already. */
      reused: boolean;
    }
  | { ok: false; event: PullRequestEvent; error: Error; retryInMs: number | undefined };

/** What the queue runs: PullRequestReporter, or a fake in tests. */
export interface Reporter {
  /** Why this server does not report `event`, or undefined. */
  ignores(event: PullRequestEvent): string | undefined;
  report(event: PullRequestEvent): Promise<PullRequestOutcome>;
}

export interface PullRequestQueueOptions extends RetryOptions {
  /** Tries of one event after its first failure. @default 10 */
  maxRetries?: number;
  /** Pull requests whose last report is remembered. @default 1000 */
  remember?: number;
}

interface Job {
  event: PullRequestEvent;
  answer: ((outcome: ReportOutcome) => void)[];
}

interface Reported {
  event: PullRequestEvent;
  result: PullRequestOutcome;
}

export class PullRequestQueue {
  readonly #reporter: Reporter;
  readonly #metrics: SyncMetrics;
  readonly #logger: Logger;
  readonly #retry: Required<RetryOptions>;
  readonly #maxRetries: number;
  readonly #remember: number;
  /** Waiting jobs by pull request, in arrival order. */
  readonly #waiting = new Map<string, Job>();
  #running: { key: string; job: Job; done: Promise<void> } | undefined;
  /** The last successful report per pull request (oldest first, bounded). */
  readonly #reported = new Map<string, Reported>();
  readonly #retries = new Map<string, { head: string; failures: number; timer?: NodeJS.Timeout }>();
  #stopped = false;

  constructor(
    reporter: Reporter,
    metrics: SyncMetrics,
    logger: Logger,
    options: PullRequestQueueOptions = {},
  ) {
    this.#reporter = reporter;
    this.#metrics = metrics;
    this.#logger = logger;
    this.#retry = withRetryDefaults(options);
    this.#maxRetries = options.maxRetries ?? 10;
    this.#remember = options.remember ?? 1000;
  }

  /** Why this server does not report `event` (another code host, repository or branch), or undefined. */
  ignores(event: PullRequestEvent): string | undefined {
    return this.#reporter.ignores(event);
  }

  /** Resolves with the outcome of the report that covers `event`; never rejects. */
  submit(event: PullRequestEvent): Promise<ReportOutcome> {
    return new Promise((answer) => this.#submit(event, answer));
  }

  #submit(event: PullRequestEvent, answer: (outcome: ReportOutcome) => void): void {
    const key = keyOf(event);
    const reported = this.#covering(key, event);
    if (reported !== undefined) return answer(reported);
    const running = this.#running;
    if (
      running?.key === key &&
      (sameRevision(event, running.job.event) || isOlder(event, running.job.event))
    ) {
      running.job.answer.push(answer);
      return;
    }
    const waiting = this.#waiting.get(key);
    if (waiting !== undefined) {
      if (!isOlder(event, waiting.event)) waiting.event = event;
      waiting.answer.push(answer);
      return;
    }
    const retry = this.#retries.get(key);
    clearTimeout(retry?.timer);
    if (retry !== undefined && retry.head !== event.head) this.#retries.delete(key);
    this.#waiting.set(key, { event, answer: [answer] });
    this.#next();
  }

  /** The last report's outcome when it already covers `event` (the same revision, or a newer one). */
  #covering(key: string, event: PullRequestEvent): ReportOutcome | undefined {
    const reported = this.#reported.get(key);
    if (reported === undefined || !(sameRevision(event, reported.event) || isOlder(event, reported.event))) {
      return undefined;
    }
    return { ok: true, event: reported.event, result: reported.result, reused: true };
  }

  /** Stops retrying and starting reports; one in flight finishes. */
  stop(): void {
    this.#stopped = true;
    for (const retry of this.#retries.values()) clearTimeout(retry.timer);
    this.#retries.clear();
  }

  /** Resolves when no report is running. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running.done;
  }

  #next(): void {
    if (this.#running !== undefined || this.#stopped) return;
    const [first] = this.#waiting;
    if (first === undefined) return;
    const [key, job] = first;
    this.#waiting.delete(key);
    // Reported meanwhile by a newer event that arrived first?
    const covered = this.#covering(key, job.event);
    if (covered !== undefined) {
      for (const answer of job.answer) answer(covered);
      return this.#next();
    }
    const done = this.#run(key, job).finally(() => {
      this.#running = undefined;
      this.#next();
    });
    this.#running = { key, job, done };
  }

  async #run(key: string, job: Job): Promise<void> {
    const { event } = job;
    let outcome: ReportOutcome;
    try {
      const result = await this.#reporter.report(event);
      outcome = { ok: true, event, result, reused: false };
      this.#metrics.recordPullRequestReport('reported');
      this.#retries.delete(key);
      this.#reported.delete(key);
      this.#reported.set(key, { event, result });
      if (this.#reported.size > this.#remember)
        this.#reported.delete(this.#reported.keys().next().value ?? '');
      this.#logger.log('info', 'pull request reported', {
        pullRequest: where(event),
        head: event.head,
        comment: result.comment.action,
        commentId: result.comment.commentId,
        status: result.status.state,
      });
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      const retryInMs =
        failure instanceof TransientError ? this.#scheduleRetry(key, event, failure) : undefined;
      outcome = { ok: false, event, error: failure, retryInMs };
      this.#metrics.recordPullRequestReport('failed');
      this.#logger.log('error', 'pull request report failed', {
        pullRequest: where(event),
        head: event.head,
        error: failure.message,
        ...(retryInMs === undefined ? {} : { retryInMs }),
      });
    }
    for (const answer of job.answer) answer(outcome);
  }

  /** The wait before this event is tried again, or undefined when it will not be. */
  #scheduleRetry(key: string, event: PullRequestEvent, error: TransientError): number | undefined {
    if (this.#stopped || this.#waiting.has(key)) return undefined; // a newer event is next anyway
    const retry = this.#retries.get(key) ?? { head: event.head, failures: 0 };
    retry.failures++;
    if (retry.failures > this.#maxRetries) {
      this.#retries.delete(key);
      return undefined;
    }
    const delay = Math.max(retryDelay(retry.failures, this.#retry), (error.retryAfterSeconds ?? 0) * 1000);
    retry.timer = setTimeout(() => {
      retry.timer = undefined;
      this.#submit(event, () => undefined);
    }, delay);
    retry.timer.unref();
    this.#retries.set(key, retry);
    return delay;
  }
}

function keyOf(event: PullRequestEvent): string {
  return `${event.provider}:${where(event)}`;
}

/** True when both say when they happened and `a` happened first. */
function isOlder(a: PullRequestEvent, b: PullRequestEvent): boolean {
  return a.updatedAt !== undefined && b.updatedAt !== undefined && a.updatedAt < b.updatedAt;
}

function sameRevision(a: PullRequestEvent, b: PullRequestEvent): boolean {
  return a.head === b.head && a.baseRef === b.baseRef;
}
