/** The ops kit of the long-running processes (agent, sync server): logging, metrics, probe endpoints. */
export { errorText, jsonLogger, silentLogger, type Logger } from './logger.ts';
export { Counter, Gauge, Histogram, Registry, newRegistry } from './metrics.ts';
export { json, serveProbes, startProbeServer, type ProbeServer, type Readiness } from './probes.ts';
