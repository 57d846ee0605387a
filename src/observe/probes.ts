/**
 * The operations endpoints both long-running processes serve: `GET /healthz` (the process answers),
 * `GET /readyz` (200 when ready, 503 with the reason when not) and `GET /metrics` (Prometheus text, from
 * a prom-client registry). `serveProbes` answers them inside any server; `startProbeServer` is a server
 * with nothing else (the agent's).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Readiness {
  ready: boolean;
  /** More for the `/readyz` body, e.g. `{ sourceCommit }` or `{ error }`. */
  detail?: Record<string, unknown>;
}

export interface Probes {
  readiness(): Readiness;
  registry: Registry;
}

export const PROBE_PATHS = { health: '/healthz', ready: '/readyz', metrics: '/metrics' } as const;

/** Answers a probe request; false when the request is not one (the caller routes it on). */
export async function serveProbes(
  req: IncomingMessage,
  res: ServerResponse,
  probes: Probes,
): Promise<boolean> {
  // HEAD answers like GET without the body (Node's server leaves it out), for load balancers' checks.
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === PROBE_PATHS.health) {
    json(res, 200, { status: 'ok' });
    return true;
  }
  if (path === PROBE_PATHS.ready) {
    const { ready, detail } = probes.readiness();
    json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...detail });
    return true;
  }
  if (path === PROBE_PATHS.metrics) {
    const text = await probes.registry.metrics();
    res.writeHead(200, { 'Content-Type': probes.registry.contentType });
    res.end(text);
    return true;
  }
  return false;
}

export interface ProbeServer {
  port: number;
  close(): Promise<void>;
}

/** A server answering the probes only (404 otherwise); port 0 picks one. */
export async function startProbeServer(host: string, port: number, probes: Probes): Promise<ProbeServer> {
  const server: Server = createServer((req, res) => {
    serveProbes(req, res, probes)
      .then((served) => {
        if (!served) json(res, 404, { error: 'not found' });
      })
      .catch(() => {
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
        else res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body) + '\n');
}
