/**
 * The sync server's Prometheus metrics (names and labels as the README lists them), in its own
 * prom-client registry: counters, a histogram with fixed buckets, and an info-style gauge for the last
 * synced source commit.
 */
import { Counter, Gauge, Histogram, newRegistry, type Registry } from '../observe/index.ts';

export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/** `pushed` (new deploy commit), `unchanged`, `refused` (pushed or unchanged, but some spec failed), `failed`. */
export type SyncResultLabel = 'pushed' | 'unchanged' | 'refused' | 'failed';

export class SyncMetrics {
  readonly registry: Registry = newRegistry();
  readonly #syncs: Counter<'result'>;
  readonly #duration: Histogram;
  readonly #failures: Counter<'reason'>;
  readonly #webhooks: Counter<'result'>;
  readonly #pullRequests: Counter<'result'>;
  readonly #lastSource: Gauge<'repository' | 'source_commit'>;
  readonly #lastSuccess: Gauge;

  constructor() {
    const registers = [this.registry];
    this.#syncs = new Counter({
      name: 'kaito_gitops_syncs_total',
      help: 'Sync passes by result.',
      labelNames: ['result'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'kaito_gitops_sync_duration_seconds',
      help: 'Time of one sync pass, retries included.',
      buckets: [...DURATION_BUCKETS],
      registers,
    });
    this.#failures = new Counter({
      name: 'kaito_gitops_sync_failures_total',
      help: 'Sync passes that failed, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.#webhooks = new Counter({
      name: 'kaito_gitops_webhook_requests_total',
      help: 'Webhook deliveries by outcome.',
      labelNames: ['result'],
      registers,
    });
    this.#pullRequests = new Counter({
      name: 'kaito_gitops_pull_request_reports_total',
      help: 'Pull-request plan comments written (reported) or tried and failed, retries included.',
      labelNames: ['result'],
      registers,
    });
    this.#lastSource = new Gauge({
      name: 'kaito_gitops_last_synced_source_info',
      help: 'The source commit the deploy branch was last synced from.',
      labelNames: ['repository', 'source_commit'],
      registers,
    });
    this.#lastSuccess = new Gauge({
      name: 'kaito_gitops_last_success_timestamp_seconds',
      help: 'When a sync pass last succeeded.',
      registers,
    });
  }

  recordSync(result: SyncResultLabel, seconds: number, now: Date): void {
    this.#syncs.inc({ result });
    this.#duration.observe(seconds);
    if (result !== 'failed') this.#lastSuccess.set(now.getTime() / 1000);
  }

  /** `reason`: `remote` (git server), `spec` (the source path is missing), `internal`. */
  recordFailure(reason: string): void {
    this.#failures.inc({ reason });
  }

  recordWebhook(result: string): void {
    this.#webhooks.inc({ result });
  }

  recordPullRequestReport(result: 'reported' | 'failed'): void {
    this.#pullRequests.inc({ result });
  }

  recordSource(repository: string, commit: string): void {
    this.#lastSource.reset();
    this.#lastSource.set({ repository, source_commit: commit }, 1);
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
