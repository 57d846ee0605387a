/**
 * Runs sync passes one at a time and coalesces triggers: a webhook, a poll tick or a manual request
 * that arrives while a pass runs is answered by the one pass that starts after it (so a burst of ten
 * pushes costs at most two passes, and every trigger sees a pass that began after it). A pass that
 * failed is tried again after a backoff (doubling, with jitter), with or without polling, until one
 * succeeds or the loop stops. Records metrics and logs; never throws to the caller.
 */
import { InterruptedError, SpecError } from '../errors.ts';
import type { SyncResult } from './sync-config.ts';
import type { Logger } from '../observe/index.ts';
import type { SyncMetrics } from './metrics.ts';

export type PassOutcome = { ok: true; result: SyncResult } | { ok: false; error: Error };

export interface Syncer {
  sync(): Promise<SyncResult>;
}

export interface RetryOptions {
  /** First wait after a failed pass. @default 5000 */
  baseMs?: number;
  /** Longest wait between tries. @default 300000 */
  maxMs?: number;
  random?: () => number;
}

export function withRetryDefaults(retry: RetryOptions): Required<RetryOptions> {
  return { baseMs: 5000, maxMs: 300_000, random: Math.random, ...retry };
}

/** The wait before try `failures + 1`: doubling from `baseMs` up to `maxMs`, the upper half jittered. */
export function retryDelay(failures: number, retry: Required<RetryOptions>): number {
  const cap = Math.min(retry.maxMs, retry.baseMs * 2 ** (failures - 1));
  return Math.round(cap / 2 + (cap / 2) * retry.random());
}

export class SyncLoop {
  readonly #engine: Syncer;
  readonly #metrics: SyncMetrics;
  readonly #logger: Logger;
  readonly #repository: string;
  readonly #now: () => Date;
  #running: Promise<PassOutcome> | undefined;
  #next:
    { promise: Promise<PassOutcome>; resolve: (outcome: PassOutcome) => void; reasons: string[] } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  /** Failed passes in a row. */
  #failures = 0;
  #stopped = false;
  readonly #retry: Required<RetryOptions>;
  /** The outcome of the last finished pass. */
  last: PassOutcome | undefined;

  constructor(
    engine: Syncer,
    metrics: SyncMetrics,
    logger: Logger,
    repository: string,
    now: () => Date = () => new Date(),
    retry: RetryOptions = {},
  ) {
    this.#engine = engine;
    this.#metrics = metrics;
    this.#logger = logger;
    this.#repository = repository;
    this.#now = now;
    this.#retry = withRetryDefaults(retry);
  }

  /** The source commit the deploy branch was last synced from (by a successful pass). */
  get syncedSourceCommit(): string | undefined {
    return this.last?.ok === true ? this.last.result.sourceCommit : undefined;
  }

  /** A pass that starts after this call; resolves with its outcome. */
  trigger(reason: string): Promise<PassOutcome> {
    if (this.#running === undefined) return this.#start([reason]);
    if (this.#next === undefined) {
      let resolve!: (outcome: PassOutcome) => void;
      const promise = new Promise<PassOutcome>((r) => (resolve = r));
      this.#next = { promise, resolve, reasons: [] };
    }
    this.#next.reasons.push(reason);
    return this.#next.promise;
  }

  /** Polls every `intervalMs` (the fallback when webhooks are lost). */
  poll(intervalMs: number): void {
    this.#stopPolling();
    this.#timer = setInterval(() => void this.trigger('poll'), intervalMs);
    this.#timer.unref();
  }

  /** Stops polling and retrying (a pass in flight finishes). */
  stop(): void {
    this.#stopped = true;
    this.#stopPolling();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  #stopPolling(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** After a failed pass, the next try in a while; nothing after a good one. */
  #scheduleRetry(outcome: PassOutcome): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (outcome.ok) {
      this.#failures = 0;
      return;
    }
    if (this.#stopped || outcome.error instanceof InterruptedError) return;
    this.#failures++;
    const delay = retryDelay(this.#failures, this.#retry);
    this.#logger.log('info', 'sync will be tried again', { inMs: delay, failures: this.#failures });
    this.#retryTimer = setTimeout(() => void this.trigger('retry'), delay);
    this.#retryTimer.unref();
  }

  /** Resolves when no pass is running or queued. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  #start(reasons: string[]): Promise<PassOutcome> {
    const run = this.#run(reasons);
    this.#running = run;
    void run.then(() => {
      const next = this.#next;
      this.#next = undefined;
      this.#running = undefined;
      if (next !== undefined) void this.#start(next.reasons).then(next.resolve);
    });
    return run;
  }

  async #run(reasons: string[]): Promise<PassOutcome> {
    const started = performance.now();
    let outcome: PassOutcome;
    try {
      const result = await this.#engine.sync();
      outcome = { ok: true, result };
      const label = result.errors.length > 0 ? 'refused' : result.outcome;
      this.#metrics.recordSync(label, (performance.now() - started) / 1000, this.#now());
      this.#metrics.recordSource(this.#repository, result.sourceCommit);
      this.#logger.log(result.errors.length > 0 ? 'warn' : 'info', 'sync finished', {
        trigger: [...new Set(reasons)],
        outcome: result.outcome,
        sourceCommit: result.sourceCommit,
        deployCommit: result.deployCommit,
        workspaces: result.workspaceCount,
        changed: result.changed,
        attempts: result.attempts,
        durationMs: result.durationMs,
        errors: result.errors,
      });
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      outcome = { ok: false, error: failure };
      this.#metrics.recordSync('failed', (performance.now() - started) / 1000, this.#now());
      this.#metrics.recordFailure(failure instanceof SpecError ? 'spec' : 'remote');
      this.#logger.log('error', 'sync failed', { trigger: [...new Set(reasons)], error: failure.message });
    }
    this.last = outcome;
    this.#scheduleRetry(outcome);
    return outcome;
  }
}
