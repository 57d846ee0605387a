/** The ops kit of the long-running processes (agent, sync server): logging, metrics, probe endpoints. */
export {
  errorText,
  jsonLogger,
  silentLogger,
  type LineRedactor,
  type Logger,
  type LogLevel,
} from './logger.ts';
export { Counter, Gauge, Histogram, Registry, newRegistry } from './metrics.ts';
export {
  PROBE_PATHS,
  json,
  serveProbes,
  startProbeServer,
  type ProbeServer,
  type Probes,
  type Readiness,
} from './probes.ts';
