/**
 * The sync server's Prometheus metrics, kept in memory and written in the text exposition format
 * (version 0.0.4). Small on purpose: counters and a histogram with fixed buckets, plus an info-style
 * gauge for the last synced source commit.
 */

export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/** `pushed` (new deploy commit), `unchanged`, `refused` (pushed or unchanged, but some spec failed), `failed`. */
export type SyncResultLabel = 'pushed' | 'unchanged' | 'refused' | 'failed';

export class SyncMetrics {
  readonly #syncs = new Map<SyncResultLabel, number>();
  readonly #failures = new Map<string, number>();
  readonly #webhooks = new Map<string, number>();
  readonly #buckets: number[] = DURATION_BUCKETS.map(() => 0);
  #count = 0;
  #sum = 0;
  #lastSource: { repository: string; commit: string } | undefined;
  #lastSuccess: number | undefined;

  recordSync(result: SyncResultLabel, seconds: number, now: Date): void {
    this.#syncs.set(result, (this.#syncs.get(result) ?? 0) + 1);
    this.#count++;
    this.#sum += seconds;
    DURATION_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.#buckets[i] = (this.#buckets[i] ?? 0) + 1;
    });
    if (result !== 'failed') this.#lastSuccess = now.getTime() / 1000;
  }

  /** `reason`: `remote` (git server), `spec` (the source path is missing), `internal`. */
  recordFailure(reason: string): void {
    this.#failures.set(reason, (this.#failures.get(reason) ?? 0) + 1);
  }

  recordWebhook(result: string): void {
    this.#webhooks.set(result, (this.#webhooks.get(result) ?? 0) + 1);
  }

  recordSource(repository: string, commit: string): void {
    this.#lastSource = { repository, commit };
  }

  render(): string {
    const lines: string[] = [];
    const counter = (name: string, help: string, label: string, values: Map<string, number>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [value, count] of [...values].sort(([a], [b]) => (a < b ? -1 : 1))) {
        lines.push(`${name}{${label}="${escape(value)}"} ${count}`);
      }
    };
    counter('kaito_gitops_syncs_total', 'Sync passes by result.', 'result', this.#syncs);
    lines.push(
      '# HELP kaito_gitops_sync_duration_seconds Time of one sync pass, retries included.',
      '# TYPE kaito_gitops_sync_duration_seconds histogram',
    );
    DURATION_BUCKETS.forEach((bound, i) => {
      lines.push(`kaito_gitops_sync_duration_seconds_bucket{le="${bound}"} ${this.#buckets[i] ?? 0}`);
    });
    lines.push(
      `kaito_gitops_sync_duration_seconds_bucket{le="+Inf"} ${this.#count}`,
      `kaito_gitops_sync_duration_seconds_sum ${this.#sum}`,
      `kaito_gitops_sync_duration_seconds_count ${this.#count}`,
    );
    counter(
      'kaito_gitops_sync_failures_total',
      'Sync passes that failed, by reason.',
      'reason',
      this.#failures,
    );
    counter(
      'kaito_gitops_webhook_requests_total',
      'Webhook deliveries by outcome.',
      'result',
      this.#webhooks,
    );
    lines.push(
      '# HELP kaito_gitops_last_synced_source_info The source commit the deploy branch was last synced from.',
      '# TYPE kaito_gitops_last_synced_source_info gauge',
    );
    if (this.#lastSource !== undefined) {
      const { repository, commit } = this.#lastSource;
      lines.push(
        `kaito_gitops_last_synced_source_info{repository="${escape(repository)}",source_commit="${commit}"} 1`,
      );
    }
    lines.push(
      '# HELP kaito_gitops_last_success_timestamp_seconds When a sync pass last succeeded.',
      '# TYPE kaito_gitops_last_success_timestamp_seconds gauge',
    );
    if (this.#lastSuccess !== undefined)
      lines.push(`kaito_gitops_last_success_timestamp_seconds ${this.#lastSuccess}`);
    return lines.join('\n') + '\n';
  }
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
