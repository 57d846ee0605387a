/** The sync's Prometheus metrics, kept in memory and written in the text exposition format. */

const BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export type PassOutcome = 'success' | 'invalid' | 'failure';

export class SyncMetrics {
  private readonly results = new Map<PassOutcome, number>();
  private failures = 0;
  private readonly counts = BUCKETS.map(() => 0);
  private sum = 0;
  private observations = 0;
  private lastSource: string | undefined;

  /** One finished pass: `invalid` synced the valid specs and refused some; `failure` pushed nothing. */
  record(outcome: PassOutcome, seconds: number, sourceCommit?: string): void {
    this.results.set(outcome, (this.results.get(outcome) ?? 0) + 1);
    if (outcome === 'failure') this.failures++;
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.counts[i] = (this.counts[i] ?? 0) + 1;
    });
    this.sum += seconds;
    this.observations++;
    if (sourceCommit !== undefined) this.lastSource = sourceCommit;
  }

  text(): string {
    const lines = [
      '# HELP kaito_gitops_syncs_total Sync passes by result.',
      '# TYPE kaito_gitops_syncs_total counter',
      ...(['success', 'invalid', 'failure'] as const).map(
        (r) => `kaito_gitops_syncs_total{result="${r}"} ${this.results.get(r) ?? 0}`,
      ),
      '# HELP kaito_gitops_sync_failures_total Sync passes that failed to reach the deploy branch.',
      '# TYPE kaito_gitops_sync_failures_total counter',
      `kaito_gitops_sync_failures_total ${this.failures}`,
      '# HELP kaito_gitops_sync_duration_seconds Duration of sync passes.',
      '# TYPE kaito_gitops_sync_duration_seconds histogram',
      ...BUCKETS.map((b, i) => `kaito_gitops_sync_duration_seconds_bucket{le="${b}"} ${this.counts[i] ?? 0}`),
      `kaito_gitops_sync_duration_seconds_bucket{le="+Inf"} ${this.observations}`,
      `kaito_gitops_sync_duration_seconds_sum ${this.sum}`,
      `kaito_gitops_sync_duration_seconds_count ${this.observations}`,
      '# HELP kaito_gitops_last_synced_info Source commit of the last pass that reached the deploy branch.',
      '# TYPE kaito_gitops_last_synced_info gauge',
    ];
    if (this.lastSource !== undefined)
      lines.push(`kaito_gitops_last_synced_info{source_sha="${this.lastSource}"} 1`);
    return lines.join('\n') + '\n';
  }
}
