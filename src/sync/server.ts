/**
 * The sync server: `POST /webhook` (authentic push to the source branch → a sync at once; a pull
 * request's new head → its plan comment, with `sync --report`), `GET`/`HEAD /healthz` (the process
 * answers), `/readyz` (the last pass succeeded), `GET /metrics` (Prometheus). A delivery counts as done
 * only once the work that began after it succeeded: a replay of a done delivery, a push whose commit is
 * already synced, or a head already reported, triggers nothing, while a redelivery of one whose work
 * failed runs it again. Bodies over the limit are refused from their Content-Length before they are
 * read; slow clients meet header and request timeouts, and connections are capped.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { json as reply, serveProbes, type Logger } from '../observe/index.ts';
import type { SyncMetrics } from './metrics.ts';
import { where, type PullRequestEvent } from './pull-request-event.ts';
import type { ReportOutcome } from './pull-request-queue.ts';
import type { PassOutcome, SyncLoop } from './sync-loop.ts';
import { judgeWebhook, RecentDeliveries, type WebhookVerdict } from './webhook.ts';

/** GitHub's own limit is 25 MB; push payloads are far smaller (Flux's receiver takes 3 MiB). */
export const MAX_WEBHOOK_BYTES = 3 * 1024 * 1024;
/** A client must send its request headers within this (Node's default is 60 s). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** ... and the whole request, body included, within this. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Open connections at most; webhook senders and probes need a handful. */
export const MAX_CONNECTIONS = 64;

export interface SyncServerOptions {
  loop: SyncLoop;
  metrics: SyncMetrics;
  logger: Logger;
  /** The source branch; pushes to other branches are acknowledged and ignored. */
  sourceRef: string;
  /** Webhook secret; without one, `POST /webhook` answers 403. */
  webhookSecret: string | undefined;
  /** How long a webhook request waits for its pass before answering 202. @default 8000 */
  waitMs?: number;
  /** Plan comments on pull requests (`sync --report`); without them, pull request events are ignored. */
  pullRequests?: PullRequestReports;
}

/** What the server needs of the pull-request reports (PullRequestQueue). */
export interface PullRequestReports {
  /** Why this server does not report `event` (another code host, repository or branch), or undefined. */
  ignores(event: PullRequestEvent): string | undefined;
  submit(event: PullRequestEvent): Promise<ReportOutcome>;
}

export function createSyncServer(options: SyncServerOptions): Server {
  const deliveries = new RecentDeliveries();
  const server = createServer(
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    (req, res) => {
      handle(req, res, options, deliveries).catch((error: unknown) => {
        options.logger.log('error', 'request failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        if (!res.headersSent) reply(res, 500, { error: 'internal error' });
        else res.end();
      });
    },
  );
  server.maxConnections = MAX_CONNECTIONS;
  return server;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: SyncServerOptions,
  deliveries: RecentDeliveries,
): Promise<void> {
  const served = await serveProbes(req, res, {
    registry: options.metrics.registry,
    readiness: () => {
      // Ready once the last pass succeeded.
      const last = options.loop.last;
      if (last?.ok === true) return { ready: true, detail: { sourceCommit: last.result.sourceCommit } };
      return {
        ready: false,
        detail: { error: last?.ok === false ? last.error.message : 'no sync finished yet' },
      };
    },
  });
  if (served) return;
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/webhook') {
    if (req.method !== 'POST') return reply(res, 405, { error: 'use POST' }, { Allow: 'POST' });
    return webhook(req, res, options, deliveries);
  }
  return reply(res, 404, { error: `no route ${req.method ?? ''} ${path}` });
}

async function webhook(
  req: IncomingMessage,
  res: ServerResponse,
  options: SyncServerOptions,
  deliveries: RecentDeliveries,
): Promise<void> {
  const { metrics, logger } = options;
  if (options.webhookSecret === undefined) {
    req.resume();
    metrics.recordWebhook('disabled');
    return reply(res, 403, {
      error: 'webhook disabled: set KAITO_GITOPS_WEBHOOK_SECRET (or _FILE) on the sync server',
    });
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  const body = declared > MAX_WEBHOOK_BYTES ? undefined : await readBody(req, MAX_WEBHOOK_BYTES);
  if (body === undefined) {
    metrics.recordWebhook('too-large');
    reply(res, 413, { error: `body over ${MAX_WEBHOOK_BYTES} bytes` }, { Connection: 'close' });
    req.destroy();
    return;
  }
  const verdict = judgeWebhook(req.headers, body, options.webhookSecret);
  if (verdict.kind === 'unauthorized' || verdict.kind === 'bad-request') {
    metrics.recordWebhook(verdict.kind);
    logger.log('warn', 'webhook refused', { reason: verdict.reason });
    return reply(res, verdict.kind === 'unauthorized' ? 401 : 400, { error: verdict.reason });
  }
  if (verdict.delivery !== undefined && deliveries.has(verdict.delivery)) {
    metrics.recordWebhook('duplicate');
    return reply(res, 200, { status: 'duplicate delivery', delivery: verdict.delivery });
  }
  if (verdict.kind === 'ping') {
    metrics.recordWebhook('ping');
    return reply(res, 200, { status: 'pong' });
  }
  if (verdict.kind === 'pull-request') return pullRequest(res, verdict, options, deliveries);
  if (verdict.kind === 'ignored' || verdict.ref !== `refs/heads/${options.sourceRef}`) {
    metrics.recordWebhook('ignored');
    const reason = verdict.kind === 'ignored' ? verdict.reason : `push to ${verdict.ref}`;
    return reply(res, 202, { status: 'ignored', reason });
  }
  if (verdict.after !== undefined && verdict.after === options.loop.syncedSourceCommit) {
    metrics.recordWebhook('already-synced');
    return reply(res, 200, { status: 'already synced', sourceCommit: verdict.after });
  }
  metrics.recordWebhook('accepted');
  logger.log('info', 'webhook accepted', {
    provider: verdict.provider,
    delivery: verdict.delivery,
    after: verdict.after,
  });
  const pass = options.loop.trigger(`webhook:${verdict.provider}`);
  const delivery = verdict.delivery;
  if (delivery !== undefined) {
    void pass.then((outcome) => {
      if (outcome.ok) deliveries.add(delivery);
    });
  }
  const waited = await Promise.race([pass, delay(options.waitMs ?? 8000)]);
  if (waited === undefined) return reply(res, 202, { status: 'sync running' });
  return replyOutcome(res, waited);
}

/**
 * A pull request's new head: its report queued beside the sync loop, answered like a push (200 once
 * reported, whatever the plan's status; 502 failed; 202 still running).
 */
async function pullRequest(
  res: ServerResponse,
  verdict: Extract<WebhookVerdict, { kind: 'pull-request' }>,
  options: SyncServerOptions,
  deliveries: RecentDeliveries,
): Promise<void> {
  const { metrics, logger, pullRequests } = options;
  const { event, delivery } = verdict;
  const ignored =
    pullRequests === undefined
      ? 'pull request comments are off (sync --report github|gitlab)'
      : pullRequests.ignores(event);
  if (pullRequests === undefined || ignored !== undefined) {
    metrics.recordWebhook('ignored');
    return reply(res, 202, { status: 'ignored', reason: ignored });
  }
  metrics.recordWebhook('accepted');
  logger.log('info', 'webhook accepted', {
    provider: verdict.provider,
    delivery,
    pullRequest: where(event),
    action: event.action,
    head: event.head,
  });
  const report = pullRequests.submit(event);
  if (delivery !== undefined) {
    void report.then((outcome) => {
      if (outcome.ok) deliveries.add(delivery);
    });
  }
  const waited = await Promise.race([report, delay(options.waitMs ?? 8000)]);
  if (waited === undefined) return reply(res, 202, { status: 'report running' });
  if (!waited.ok) {
    return reply(res, 502, {
      status: 'failed',
      error: waited.error.message,
      ...(waited.retryInMs === undefined ? {} : { retryInMs: waited.retryInMs }),
    });
  }
  const { result } = waited;
  return reply(res, 200, {
    status: waited.reused ? 'already reported' : 'reported',
    pullRequest: waited.event.number,
    head: waited.event.head,
    comment: result.comment.action,
    commentId: result.comment.commentId,
    plan: result.status.state,
  });
}

/** 200 synced, 422 synced but some spec was refused, 502 the sync failed. */
function replyOutcome(res: ServerResponse, outcome: PassOutcome): void {
  if (!outcome.ok) return reply(res, 502, { status: 'failed', error: outcome.error.message });
  const { result } = outcome;
  const body = {
    status: result.outcome,
    sourceCommit: result.sourceCommit,
    deployCommit: result.deployCommit,
    workspaces: result.workspaceCount,
    changed: result.changed,
    errors: result.errors,
  };
  reply(res, result.errors.length > 0 ? 422 : 200, body);
}

/** The body, or undefined as soon as it grows past `limit` (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.pause();
      resolve(undefined);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
