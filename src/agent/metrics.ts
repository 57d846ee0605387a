/**
 * The agent's Prometheus metrics (names and labels as the README lists them), in its own prom-client
 * registry. The queue depth and leadership are read when scraped.
 */
import { Counter, Gauge, newRegistry, type Registry } from '../observe/index.ts';

export type ReconcileOutcome = 'success' | 'requeue' | 'error';
const OUTCOMES: readonly ReconcileOutcome[] = ['success', 'requeue', 'error'];

export class AgentMetrics {
  readonly registry: Registry = newRegistry();
  /** Read on each scrape. */
  queueDepth: () => number = () => 0;
  leader: () => boolean = () => false;
  readonly #reconciles: Counter<'result'>;
  readonly #statusWrites: Counter;
  readonly #informerErrors: Counter;

  constructor() {
    const registers = [this.registry];
    this.#reconciles = new Counter({
      name: 'kaito_gitops_reconciles_total',
      help: 'Workspace reconciles by result.',
      labelNames: ['result'],
      registers,
    });
    for (const result of OUTCOMES) this.#reconciles.inc({ result }, 0);
    this.#statusWrites = new Counter({
      name: 'kaito_gitops_status_writes_total',
      help: 'Workspace status writes sent to the API server.',
      registers,
    });
    this.#informerErrors = new Counter({
      name: 'kaito_gitops_informer_errors_total',
      help: 'Watch or list failures (each is retried).',
      registers,
    });
    const depth = (): number => this.queueDepth();
    const leader = (): boolean => this.leader();
    new Gauge({
      name: 'kaito_gitops_queue_depth',
      help: 'Workspace keys waiting for a reconcile.',
      registers,
      collect() {
        this.set(depth());
      },
    });
    new Gauge({
      name: 'kaito_gitops_leader',
      help: '1 while this replica holds the leader Lease.',
      registers,
      collect() {
        this.set(leader() ? 1 : 0);
      },
    });
  }

  countReconcile(result: ReconcileOutcome): void {
    this.#reconciles.inc({ result });
  }

  countStatusWrite(): void {
    this.#statusWrites.inc();
  }

  countInformerError(): void {
    this.#informerErrors.inc();
  }

  /** Reconciles so far by result; results not seen yet are absent. */
  async reconciles(): Promise<Map<string, number>> {
    const { values } = await this.#reconciles.get();
    return new Map(values.filter((v) => v.value > 0).map((v) => [String(v.labels.result), v.value]));
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
