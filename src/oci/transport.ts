/**
 * Registry requests with auth, retries and classified errors. Every request names the operation it is
 * part of, so a failure reads `127.0.0.1:5000/kaito/adapter: push blob: 401 UNAUTHORIZED: ...`.
 *
 * Retries: connection errors, 429 and 5xx (except 501/505), with exponential backoff and jitter, and
 * the registry's `Retry-After` (seconds or an HTTP date) when it sends one. Only whole requests are
 * retried here (their bodies are in memory); resuming a blob download or upload is the caller's job.
 */
import type { IncomingMessage } from 'node:http';
import { Authenticator, parseChallenge, type Scopes } from './auth.ts';
import type { CredentialSource } from './credentials.ts';
import {
  RegistryAuthError,
  RegistryDeniedError,
  RegistryError,
  RegistryNotFoundError,
  RegistryUnavailableError,
  type RegistryErrorDetails,
} from './errors.ts';
import {
  createAgents,
  drain,
  header,
  readBody,
  sendOnce,
  type HttpAgents,
  type HttpRequest,
} from './http-request.ts';
import { apiHost } from './reference.ts';

export interface RetryPolicy {
  /** Tries per request, the first included. @default 5 */
  attempts: number;
  /** Delay before the first retry; doubles each time, with jitter. @default 500 */
  baseDelayMs: number;
  /** Longest delay between tries, `Retry-After` included. @default 60000 */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 60_000 };

export interface TransportOptions {
  credentials: CredentialSource;
  /** Talk plain HTTP (registries without TLS, as `oras --plain-http`). @default false */
  plainHttp?: boolean;
  retry?: Partial<RetryPolicy>;
  /** A socket idle this long fails the request (and is retried). @default 120000 */
  timeoutMs?: number;
  /** Extra CA certificates (PEM) for registries with a private CA. */
  ca?: string;
  sleep?: (ms: number) => Promise<void>;
  /** Told about each retry, for logs. */
  onRetry?: (event: { operation: string; attempt: number; delayMs: number; reason: string }) => void;
}

export interface RegistryCall {
  method: HttpRequest['method'];
  registry: string;
  repository: string;
  /** A path below the registry's API root (`/v2/...`) or an absolute URL (a `Location` header). */
  url: string;
  operation: string;
  scopes: Scopes;
  headers?: Record<string, string>;
  body?: HttpRequest['body'];
  /** Statuses that are success; the response is returned with its body unread. */
  expect: readonly number[];
  /** Follow redirects (blob downloads from a CDN); authorization is not sent to another host. */
  followRedirects?: boolean;
  /** Tries for this request; 1 where a retry must start elsewhere (a chunk the server may have half read). */
  attempts?: number;
}

const RETRYABLE_STATUS = (status: number) =>
  status === 429 || (status >= 500 && status !== 501 && status !== 505);
const MAX_REDIRECTS = 5;

export class Transport {
  readonly plainHttp: boolean;
  private readonly agents: HttpAgents;
  private readonly auth: Authenticator;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onRetry: TransportOptions['onRetry'];

  constructor(options: TransportOptions) {
    this.plainHttp = options.plainHttp ?? false;
    this.agents = createAgents(options.ca !== undefined ? { ca: options.ca } : {});
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.onRetry = options.onRetry;
    this.auth = new Authenticator({
      credentials: options.credentials,
      agents: this.agents,
      timeoutMs: this.timeoutMs,
    });
  }

  /** `http(s)://<api host>` of a registry. */
  origin(registry: string): string {
    return `${this.plainHttp ? 'http' : 'https'}://${apiHost(registry)}`;
  }

  /** Closes kept-alive sockets, so a CLI process can exit at once. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** Delay before retry number `attempt` (1-based): the registry's wish, else backoff with jitter. */
  backoff(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, this.retry.maxDelayMs);
    const exponential = this.retry.baseDelayMs * 2 ** (attempt - 1);
    return Math.min(exponential * (0.75 + Math.random() / 2), this.retry.maxDelayMs);
  }

  /** Retry budget, for callers that retry at a higher level (resumed uploads and downloads). */
  get attempts(): number {
    return this.retry.attempts;
  }

  async pause(operation: string, attempt: number, delayMs: number, reason: string): Promise<void> {
    this.onRetry?.({ operation, attempt, delayMs, reason });
    await this.sleep(delayMs);
  }

  async call(call: RegistryCall): Promise<IncomingMessage> {
    const details: RegistryErrorDetails = { registry: call.registry, repository: call.repository };
    const where = `${call.registry}/${call.repository}: ${call.operation}`;
    let url = new URL(call.url, this.origin(call.registry));
    let challenged = false;
    let redirects = 0;
    const attempts = call.attempts ?? this.retry.attempts;
    for (let attempt = 1; ; attempt++) {
      const sameHost = url.host === new URL(this.origin(call.registry)).host;
      const headers: Record<string, string> = { 'user-agent': 'kaito-gitops', ...call.headers };
      if (sameHost) {
        const authorization = await this.auth.header(call.registry, call.scopes);
        if (authorization !== undefined) headers['authorization'] = authorization;
      }
      let res: IncomingMessage;
      try {
        res = await sendOnce(
          { method: call.method, url, headers, ...(call.body && { body: call.body }) },
          this.agents,
          this.timeoutMs,
        );
      } catch (error) {
        const reason = networkReason(error);
        if (reason.permanent || attempt >= attempts) {
          throw new RegistryUnavailableError(`${where}: ${reason.text}`, { ...details, cause: error });
        }
        await this.pause(call.operation, attempt, this.backoff(attempt, undefined), reason.text);
        continue;
      }
      const status = res.statusCode ?? 0;
      if (call.expect.includes(status)) return res;
      if (status === 401 && sameHost && !challenged) {
        challenged = true;
        const body = await errorText(res);
        if (await this.auth.challenged(call.registry, header(res.headers, 'www-authenticate'), call.scopes)) {
          attempt--;
          continue;
        }
        throw await this.failure(res, where, details, call, body);
      }
      if (
        call.followRedirects &&
        status >= 300 &&
        status < 400 &&
        header(res.headers, 'location') &&
        redirects < MAX_REDIRECTS
      ) {
        redirects++;
        attempt--;
        url = new URL(header(res.headers, 'location') as string, url);
        await drain(res);
        continue;
      }
      if (RETRYABLE_STATUS(status) && attempt < attempts) {
        const retryAfter = retryAfterMs(header(res.headers, 'retry-after'));
        const body = await errorText(res);
        await this.pause(
          call.operation,
          attempt,
          this.backoff(attempt, retryAfter),
          `${status}${body.text ? ` ${body.text}` : ''}`,
        );
        continue;
      }
      throw await this.failure(res, where, details, call);
    }
  }

  private async failure(
    res: IncomingMessage,
    where: string,
    details: RegistryErrorDetails,
    call: RegistryCall,
    read?: { code?: string; text: string },
  ): Promise<RegistryError> {
    const attempts = call.attempts ?? this.retry.attempts;
    const status = res.statusCode ?? 0;
    const body = read ?? (await errorText(res));
    const full = { ...details, status, ...(body.code !== undefined && { code: body.code }) };
    const message = `${where}: ${status}${body.text ? ` ${body.text}` : ` ${res.statusMessage ?? ''}`.trimEnd()}`;
    // A token that lacks the action asked for: we are known but not allowed (distribution answers 401).
    const challenge = parseChallenge(header(res.headers, 'www-authenticate') ?? '');
    if (status === 401 && challenge?.params['error'] === 'insufficient_scope') {
      return new RegistryDeniedError(
        `${message} (insufficient_scope: not allowed ${call.scopes.join(', ')})`,
        full,
      );
    }
    if (status === 403) return new RegistryDeniedError(message, full);
    if (status === 401) {
      const hint = this.auth.hasCredential(details.registry)
        ? ''
        : ` (no credentials were given for ${details.registry})`;
      return new RegistryAuthError(message + hint, full);
    }
    if (status === 404) return new RegistryNotFoundError(message, full);
    if (RETRYABLE_STATUS(status)) {
      const retryAfter = retryAfterMs(header(res.headers, 'retry-after'));
      return new RegistryUnavailableError(
        `${message}${attempts > 1 ? ` (gave up after ${attempts} tries)` : ''}`,
        {
          ...full,
          ...(retryAfter !== undefined && { retryAfterSeconds: Math.ceil(retryAfter / 1000) }),
        },
      );
    }
    return new RegistryError(message, full);
  }
}

/** `Retry-After` as milliseconds: delta seconds or an HTTP date. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The registry's words from an error body: `CODE: message` from `{"errors":[...]}`, else its first line. */
async function errorText(res: IncomingMessage): Promise<{ code?: string; text: string }> {
  let body = '';
  try {
    body = (await readBody(res, 64 * 1024)).toString('utf8');
  } catch {
    res.destroy();
  }
  try {
    const json = JSON.parse(body) as { errors?: { code?: unknown; message?: unknown; detail?: unknown }[] };
    const first = json.errors?.[0];
    if (first !== undefined) {
      const code = typeof first.code === 'string' ? first.code : undefined;
      const message = typeof first.message === 'string' ? first.message : '';
      return { ...(code !== undefined && { code }), text: [code, message].filter(Boolean).join(': ') };
    }
  } catch {
    // not JSON: use the text
  }
  const line = body.trim().split('\n')[0] ?? '';
  return { text: line.length <= 200 ? line : `${line.slice(0, 200)}...` };
}

/** A one-line reason for a failed exchange, and whether retrying cannot help (TLS against plain HTTP). */
function networkReason(error: unknown): { text: string; permanent: boolean } {
  const code = (error as { code?: unknown }).code;
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return {
      text: `TLS handshake failed (${code}): the server does not speak TLS; a registry without TLS needs plain HTTP`,
      permanent: true,
    };
  }
  if (
    typeof code === 'string' &&
    (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT')
  ) {
    return { text: `TLS certificate not trusted (${code}: ${message})`, permanent: true };
  }
  return {
    text: `${typeof code === 'string' && !message.includes(code) ? `${code}: ` : ''}${message}`,
    permanent: false,
  };
}
