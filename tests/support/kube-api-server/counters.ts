/** Request counters by verb and resource, what the agent benchmark reads to count API calls. */

/** Kubernetes audit verbs, plus `discovery` for `/api`, `/apis` and group-version documents. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'discovery';

export class RequestCounters {
  private readonly counts = new Map<string, number>();

  /** Counts one request; `resource` is group-qualified, with `/status` for the subresource. */
  record(verb: Verb, resource: string): void {
    const key = `${verb} ${resource}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Requests matching a verb and/or resource (`workspaces.kaito.sh`, `workspaces.kaito.sh/status`). */
  count(filter: { verb?: Verb; resource?: string } = {}): number {
    let total = 0;
    for (const [key, n] of this.counts) {
      const [verb, resource] = key.split(' ');
      if (filter.verb !== undefined && verb !== filter.verb) continue;
      if (filter.resource !== undefined && resource !== filter.resource) continue;
      total += n;
    }
    return total;
  }

  /** Every counter as `{ "patch workspaces.kaito.sh/status": 3, ... }`, sorted by key. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  reset(): void {
    this.counts.clear();
  }
}
