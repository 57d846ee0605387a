/**
 * Prometheus metrics through prom-client, one registry per process part (no global default registry,
 * so tests and several agents in one process do not share counters). The metric names are the README's.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

/** A registry of our own, without prom-client's process metrics. */
export function newRegistry(): Registry {
  return new Registry();
}
