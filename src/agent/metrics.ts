/**
 * The agent's Prometheus metrics, kept as plain counters and rendered in the text exposition format
 * (no client library needed for a handful of series).
 */

export class AgentMetrics {
  readonly reconciles = new Map<string, number>();
  statusWrites = 0;
  informerErrors = 0;
  queueDepth: () => number = () => 0;
  leader: () => boolean = () => false;

  countReconcile(result: string): void {
    this.reconciles.set(result, (this.reconciles.get(result) ?? 0) + 1);
  }

  render(): string {
    const lines = [
      '# HELP kaito_gitops_reconciles_total Workspace reconciles by result.',
      '# TYPE kaito_gitops_reconciles_total counter',
      ...['success', 'requeue', 'error'].map(
        (result) => `kaito_gitops_reconciles_total{result="${result}"} ${this.reconciles.get(result) ?? 0}`,
      ),
      '# HELP kaito_gitops_status_writes_total Workspace status writes sent to the API server.',
      '# TYPE kaito_gitops_status_writes_total counter',
      `kaito_gitops_status_writes_total ${this.statusWrites}`,
      '# HELP kaito_gitops_informer_errors_total Watch or list failures (each is retried).',
      '# TYPE kaito_gitops_informer_errors_total counter',
      `kaito_gitops_informer_errors_total ${this.informerErrors}`,
      '# HELP kaito_gitops_queue_depth Workspace keys waiting for a reconcile.',
      '# TYPE kaito_gitops_queue_depth gauge',
      `kaito_gitops_queue_depth ${this.queueDepth()}`,
      '# HELP kaito_gitops_leader 1 while this replica holds the leader Lease.',
      '# TYPE kaito_gitops_leader gauge',
      `kaito_gitops_leader ${this.leader() ? 1 : 0}`,
    ];
    return lines.join('\n') + '\n';
  }
}
