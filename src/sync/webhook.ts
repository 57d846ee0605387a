/**
 * GitHub push webhooks: the signature check (HMAC-SHA256 over the raw body, compared in constant
 * time) and the decision whether a delivery should start a pass. Pure, so every case is a table row.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Is `header` (`X-Hub-Signature-256: sha256=<hex>`) the signature of `body` with `secret`? */
export function validSignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type WebhookDecision =
  { action: 'sync'; sha: string } | { action: 'ignore'; status: 200 | 202 | 400; reason: string };

export interface WebhookContext {
  /** The source branch that is synced. */
  sourceRef: string;
  /** Source commit of the last successful pass. */
  lastSynced: string | undefined;
  /** Has this delivery id been seen before? */
  seen: (delivery: string) => boolean;
}

/** What to do with a delivery whose signature is valid. */
export function decide(
  event: string | undefined,
  delivery: string | undefined,
  body: Buffer,
  context: WebhookContext,
): WebhookDecision {
  if (event === 'ping') return { action: 'ignore', status: 200, reason: 'pong' };
  if (event !== 'push')
    return { action: 'ignore', status: 202, reason: `event "${event ?? ''}" is not a push` };
  if (delivery !== undefined && context.seen(delivery)) {
    return { action: 'ignore', status: 202, reason: `delivery ${delivery} was already received` };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    return { action: 'ignore', status: 400, reason: 'the body is not JSON' };
  }
  const ref = isRecord(payload) ? payload['ref'] : undefined;
  const after = isRecord(payload) ? payload['after'] : undefined;
  if (typeof ref !== 'string' || typeof after !== 'string') {
    return { action: 'ignore', status: 400, reason: 'a push event needs "ref" and "after"' };
  }
  if (ref !== `refs/heads/${context.sourceRef}`) {
    return { action: 'ignore', status: 202, reason: `push to ${ref}, not refs/heads/${context.sourceRef}` };
  }
  if (after === context.lastSynced) {
    return { action: 'ignore', status: 202, reason: `${after} is already hydrated` };
  }
  return { action: 'sync', sha: after };
}

/** Remembers the last `capacity` delivery ids (GitHub redelivers with the same id). */
export class DeliveryLog {
  private readonly ids = new Set<string>();
  private readonly capacity: number;

  constructor(capacity = 1000) {
    this.capacity = capacity;
  }

  /** True when `id` was recorded before; records it either way. */
  seen(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
