/**
 * Webhooks, judged without side effects: who sent it (GitHub, GitLab, Azure DevOps), whether it is
 * authentic (GitHub `X-Hub-Signature-256` HMAC, GitLab `X-Gitlab-Token`, Azure DevOps basic auth;
 * every secret compared in constant time), and what it announces: a push (branch and commit) or a
 * pull request's new head (pull-request-event.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  githubPullRequest,
  gitlabMergeRequest,
  record,
  type PullRequestEvent,
  type PullRequestReading,
} from './pull-request-event.ts';

export type WebhookProvider = 'github' | 'gitlab' | 'azure-devops';

export type WebhookVerdict =
  | {
      kind: 'push';
      provider: WebhookProvider;
      delivery: string | undefined;
      ref: string;
      after: string | undefined;
    }
  | { kind: 'pull-request'; provider: WebhookProvider; delivery: string | undefined; event: PullRequestEvent }
  | { kind: 'ping'; provider: WebhookProvider; delivery: string | undefined }
  | { kind: 'ignored'; provider: WebhookProvider; delivery: string | undefined; reason: string }
  | { kind: 'unauthorized'; reason: string }
  | { kind: 'bad-request'; reason: string };

type Headers = Readonly<Record<string, string | string[] | undefined>>;

export function judgeWebhook(headers: Headers, body: Buffer, secret: string): WebhookVerdict {
  const header = (name: string) => {
    const value = headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  if (header('x-github-event') !== undefined) {
    const signature = header('x-hub-signature-256');
    if (signature === undefined) return { kind: 'unauthorized', reason: 'missing X-Hub-Signature-256' };
    const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    if (!safeEqual(signature, expected))
      return { kind: 'unauthorized', reason: 'X-Hub-Signature-256 does not match' };
    const delivery = header('x-github-delivery');
    const event = header('x-github-event');
    if (event === 'ping') return { kind: 'ping', provider: 'github', delivery };
    if (event !== 'push' && event !== 'pull_request') {
      return { kind: 'ignored', provider: 'github', delivery, reason: `event ${event}` };
    }
    // GitHub signs the body as sent; with content type application/x-www-form-urlencoded the JSON is
    // the `payload` field of that form.
    const form = /^application\/x-www-form-urlencoded\b/i.test(header('content-type') ?? '');
    const payload = form
      ? Buffer.from(new URLSearchParams(body.toString('utf8')).get('payload') ?? '')
      : body;
    if (event === 'pull_request') return pullRequestOf('github', delivery, payload, githubPullRequest);
    return pushOf('github', delivery, payload, (json) => ({ ref: json['ref'], after: json['after'] }));
  }
  if (header('x-gitlab-event') !== undefined) {
    const token = header('x-gitlab-token');
    if (token === undefined || !safeEqual(token, secret))
      return { kind: 'unauthorized', reason: 'X-Gitlab-Token does not match' };
    const delivery = header('x-gitlab-event-uuid');
    if (header('x-gitlab-event') === 'Merge Request Hook') {
      return pullRequestOf('gitlab', delivery, body, gitlabMergeRequest);
    }
    if (header('x-gitlab-event') !== 'Push Hook') {
      return { kind: 'ignored', provider: 'gitlab', delivery, reason: `event ${header('x-gitlab-event')}` };
    }
    return pushOf('gitlab', delivery, body, (json) => ({
      ref: json['ref'],
      after: json['checkout_sha'] ?? json['after'],
    }));
  }
  const authorization = header('authorization');
  if (authorization !== undefined) {
    const match = /^Basic\s+(\S+)$/i.exec(authorization);
    const decoded = match?.[1] === undefined ? '' : Buffer.from(match[1], 'base64').toString('utf8');
    const password = decoded.slice(decoded.indexOf(':') + 1);
    if (!decoded.includes(':') || !safeEqual(password, secret)) {
      return { kind: 'unauthorized', reason: 'basic auth password does not match' };
    }
    return pushOf('azure-devops', undefined, body, (json) => {
      const resource = record(json['resource']);
      const update = Array.isArray(resource['refUpdates']) ? record(resource['refUpdates'][0]) : {};
      if (json['eventType'] !== 'git.push') return { ignored: `event ${String(json['eventType'])}` };
      return { ref: update['name'], after: update['newObjectId'], delivery: json['id'] };
    });
  }
  return { kind: 'unauthorized', reason: 'no signature, token or basic auth' };
}

function pullRequestOf(
  provider: 'github' | 'gitlab',
  delivery: string | undefined,
  body: Buffer,
  read: (json: Record<string, unknown>) => PullRequestReading,
): WebhookVerdict {
  const json = parseJson(body);
  if (json === undefined) return { kind: 'bad-request', reason: 'body is not JSON' };
  const reading = read(json);
  if (reading.kind === 'bad-request') return reading;
  if (reading.kind === 'ignored') return { kind: 'ignored', provider, delivery, reason: reading.reason };
  return { kind: 'pull-request', provider, delivery, event: reading.event };
}

function pushOf(
  provider: WebhookProvider,
  delivery: string | undefined,
  body: Buffer,
  read: (json: Record<string, unknown>) => {
    ref?: unknown;
    after?: unknown;
    delivery?: unknown;
    ignored?: string;
  },
): WebhookVerdict {
  const json = parseJson(body);
  if (json === undefined) return { kind: 'bad-request', reason: 'body is not JSON' };
  const fields = read(json);
  const id = typeof fields.delivery === 'string' ? fields.delivery : delivery;
  if (fields.ignored !== undefined)
    return { kind: 'ignored', provider, delivery: id, reason: fields.ignored };
  if (typeof fields.ref !== 'string') return { kind: 'bad-request', reason: 'push event without a ref' };
  const after =
    typeof fields.after === 'string' && /^[0-9a-f]{40,64}$/.test(fields.after) ? fields.after : undefined;
  return { kind: 'push', provider, delivery: id, ref: fields.ref, after };
}

/** The body as a JSON object (anything else JSON reads as `{}`), or undefined when it is not JSON. */
function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    return record(JSON.parse(body.toString('utf8')));
  } catch {
    return undefined;
  }
}

export function safeEqual(given: string, expected: string): boolean {
  const a = createHmac('sha256', 'compare').update(given).digest();
  const b = createHmac('sha256', 'compare').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** The deliveries done lately (their pass succeeded), to answer a replay without syncing again. */
export class RecentDeliveries {
  readonly #ids = new Set<string>();
  readonly #limit: number;

  constructor(limit = 1000) {
    this.#limit = limit;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Records a delivery whose pass succeeded. */
  add(id: string): void {
    this.#ids.add(id);
    if (this.#ids.size > this.#limit) {
      const oldest = this.#ids.values().next().value;
      if (oldest !== undefined) this.#ids.delete(oldest);
    }
  }
}
