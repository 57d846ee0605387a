/**
 * The long-running sync: a pass at start, then on every webhook push to the source branch (at once,
 * bursts coalesced) and every interval as the fallback, plus the HTTP endpoints `POST /webhook`,
 * `GET /healthz`, `GET /readyz` (ready after the first successful pass) and `GET /metrics`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpecError } from '../errors.ts';
import { SyncMetrics } from './metrics.ts';
import { PassScheduler } from './scheduler.ts';
import type { SyncResult } from './types.ts';
import { DeliveryLog, decide, validSignature } from './webhook.ts';

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface ServiceOptions {
  syncer: { sync(): Promise<SyncResult> };
  /** Source branch; pushes to any other ref are acknowledged and ignored. */
  sourceRef: string;
  /** Polling interval, the fallback when webhooks are lost. */
  intervalMs: number;
  /** Where the HTTP endpoints listen; none without it. */
  listen?: { host: string; port: number };
  /** `X-Hub-Signature-256` secret; without it `POST /webhook` answers 404. */
  webhookSecret?: string;
  /** One structured event per call (the CLI writes them as JSON lines). */
  log(event: Record<string, unknown>): void;
  /** Called after every pass with its result or error (tests and the benchmark wait on it). */
  onPass?(outcome: SyncResult | Error): void;
}

export interface Service {
  /** `http://host:port` when listening. */
  url: string | undefined;
  metrics: SyncMetrics;
  /** Stops polling and the server, and waits for a running pass to finish. */
  stop(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<Service> {
  const metrics = new SyncMetrics();
  const deliveries = new DeliveryLog();
  let lastSynced: string | undefined;
  let ready = false;

  const scheduler = new PassScheduler(async () => {
    const started = performance.now();
    try {
      const result = await options.syncer.sync();
      const seconds = (performance.now() - started) / 1000;
      const outcome = result.errors.length > 0 ? 'invalid' : 'success';
      metrics.record(outcome, seconds, result.sourceCommit);
      lastSynced = result.sourceCommit;
      ready = true;
      options.log({
        msg: 'sync pass',
        result: outcome,
        sourceCommit: result.sourceCommit,
        deployCommit: result.deployCommit,
        pushed: result.pushed,
        changed: result.changed.length,
        attempts: result.attempts,
        seconds,
        errors: result.errors.map((e) => ({ file: e.file, problems: e.problems })),
      });
      options.onPass?.(result);
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      // A source path that is gone refuses the whole pass, like a spec error.
      metrics.record(error instanceof SpecError ? 'invalid' : 'failure', seconds);
      options.log({ msg: 'sync pass failed', error: (error as Error).message, seconds });
      options.onPass?.(error as Error);
    }
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/healthz') return reply(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/readyz') {
      return reply(res, ready ? 200 : 503, { status: ready ? 'ready' : 'no successful pass yet' });
    }
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(metrics.text());
      return;
    }
    if (path !== '/webhook') return reply(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return reply(res, 405, { error: 'use POST' });
    if (options.webhookSecret === undefined) {
      req.resume();
      return reply(res, 404, { error: 'webhook is not configured (no secret)' });
    }
    const body = await readBody(req);
    if (body === undefined) return reply(res, 413, { error: `body over ${MAX_BODY_BYTES} bytes` });
    if (!validSignature(options.webhookSecret, body, header(req, 'x-hub-signature-256'))) {
      options.log({ msg: 'webhook refused', reason: 'bad or missing signature' });
      return reply(res, 401, { error: 'bad or missing X-Hub-Signature-256' });
    }
    const delivery = header(req, 'x-github-delivery');
    const decision = decide(header(req, 'x-github-event'), delivery, body, {
      sourceRef: options.sourceRef,
      lastSynced,
      seen: (id) => deliveries.seen(id),
    });
    if (decision.action === 'ignore') {
      options.log({ msg: 'webhook ignored', delivery, reason: decision.reason });
      return reply(res, decision.status, { ignored: decision.reason });
    }
    options.log({ msg: 'webhook accepted', delivery, sha: decision.sha });
    scheduler.request();
    return reply(res, 202, { queued: decision.sha });
  };

  let server: Server | undefined;
  let url: string | undefined;
  if (options.listen !== undefined) {
    const created = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => {
        options.log({ msg: 'http handler failed', error: (error as Error).message });
        if (!res.headersSent) reply(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    });
    const { host, port } = options.listen;
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(port, host, () => resolve());
    });
    server = created;
    const address = created.address() as AddressInfo;
    url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    options.log({ msg: 'listening', url });
  }

  scheduler.request();
  const timer = setInterval(() => scheduler.request(), options.intervalMs);

  return {
    url,
    metrics,
    async stop() {
      clearInterval(timer);
      if (server !== undefined) {
        const closing = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await closing;
      }
      await scheduler.idle();
    },
  };
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body) + '\n');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The raw body (the signature covers its exact bytes), or undefined when it is too large. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
