/**
 * The reconcile queue, keyed by `namespace/name`: a key waiting is queued once however often it is
 * added; a key is reconciled by one worker at a time (added again while running, it runs once more
 * afterwards); a failure is retried after a jittered exponential backoff that resets on success; a
 * success may ask to look again after N ms (`requeueAfterMs`), which is how a reconcile waits without
 * blocking (controller-runtime's rate-limited workqueue, in miniature). The error classes decide: a
 * NotReadyError is a requeue after its `retryAfterSeconds` (not a failure), a TransientError backs off
 * but never retries sooner than its `retryAfterSeconds`, anything else backs off.
 */
import { NotReadyError, TransientError } from '../errors.ts';

export interface ReconcileResult {
  /** Look again after this long (something is still on its way). */
  requeueAfterMs?: number;
}

export type ReconcileHandler = (key: string) => Promise<ReconcileResult>;

export interface WorkQueueOptions {
  /** Workers reconciling different keys at once. @default 4 */
  concurrency?: number;
  /** First retry delay after an error. @default 500 */
  baseDelayMs?: number;
  /** Longest retry delay. @default 300000 */
  maxDelayMs?: number;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
  /** Called when a reconcile throws, before its retry is scheduled. */
  onError?: (key: string, error: unknown, retryInMs: number) => void;
  /** Called after each reconcile with its outcome. */
  onResult?: (key: string, outcome: 'success' | 'requeue' | 'error') => void;
}

export class WorkQueue {
  readonly #handler: ReconcileHandler;
  readonly #concurrency: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #random: () => number;
  readonly #options: WorkQueueOptions;
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  readonly #running = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #idle: (() => void)[] = [];
  #stopped = false;

  constructor(handler: ReconcileHandler, options: WorkQueueOptions = {}) {
    this.#handler = handler;
    this.#concurrency = options.concurrency ?? 4;
    this.#baseDelayMs = options.baseDelayMs ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 300_000;
    this.#random = options.random ?? Math.random;
    this.#options = options;
  }

  /** Keys waiting (not running, not delayed). */
  get depth(): number {
    return this.#queue.length;
  }

  /** Queue `key` now (cancelling a delayed retry of it: fresh news beats an old timer). */
  add(key: string): void {
    if (this.#stopped) return;
    const timer = this.#timers.get(key);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.#timers.delete(key);
    }
    if (this.#running.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    this.#queued.add(key);
    this.#queue.push(key);
    this.#pump();
  }

  /** Queue `key` after `ms`, unless it is already due sooner. */
  addAfter(key: string, ms: number): void {
    if (this.#stopped || this.#queued.has(key) || this.#timers.has(key)) return;
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.#timers.set(key, timer);
  }

  /** The delay before retry number `failures` (1-based): base × 2^(n-1), capped, ±20 % jitter. */
  backoffMs(failures: number): number {
    const raw = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** Math.max(0, failures - 1));
    return Math.round(raw * (0.8 + 0.4 * this.#random()));
  }

  /** Resolves once nothing is queued or running (delayed retries do not count). */
  idle(): Promise<void> {
    if (this.#queue.length === 0 && this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops taking work and cancels delayed retries; running reconciles finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#queue.length = 0;
    this.#queued.clear();
    await this.idle();
  }

  #pump(): void {
    while (!this.#stopped && this.#running.size < this.#concurrency && this.#queue.length > 0) {
      const key = this.#queue.shift() as string;
      this.#queued.delete(key);
      this.#running.add(key);
      void this.#run(key);
    }
    if (this.#queue.length === 0 && this.#running.size === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  async #run(key: string): Promise<void> {
    let retryInMs: number | undefined;
    try {
      const result = await this.#handler(key);
      this.#failures.delete(key);
      retryInMs = result.requeueAfterMs;
      this.#options.onResult?.(key, retryInMs === undefined ? 'success' : 'requeue');
    } catch (error) {
      if (error instanceof NotReadyError) {
        this.#failures.delete(key);
        retryInMs = error.retryAfterSeconds * 1000;
        this.#options.onResult?.(key, 'requeue');
      } else {
        const failures = (this.#failures.get(key) ?? 0) + 1;
        this.#failures.set(key, failures);
        const asked = error instanceof TransientError ? (error.retryAfterSeconds ?? 0) * 1000 : 0;
        retryInMs = Math.max(this.backoffMs(failures), asked);
        this.#options.onResult?.(key, 'error');
        this.#options.onError?.(key, error, retryInMs);
      }
    } finally {
      this.#running.delete(key);
    }
    if (this.#dirty.delete(key)) this.add(key);
    else if (retryInMs !== undefined) this.addAfter(key, retryInMs);
    this.#pump();
  }
}
