/**
 * One HTTP exchange with node:http(s), nothing more: no retries, no auth. Request bodies are in memory
 * (a buffer or a list of buffers), so whoever retries can send them again; response bodies are streams,
 * so a 1 GiB blob never sits in memory. Sockets are kept alive per client.
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: Buffer | readonly Buffer[];
}

export interface HttpAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

export function createAgents(options: { ca?: string | Buffer } = {}): HttpAgents {
  return {
    http: new HttpAgent({ keepAlive: true, maxSockets: 8 }),
    https: new HttpsAgent({
      keepAlive: true,
      maxSockets: 8,
      ...(options.ca !== undefined && { ca: options.ca }),
    }),
  };
}

/** Bytes in a request body. */
export function bodyLength(body: HttpRequest['body']): number {
  if (body === undefined) return 0;
  if (Buffer.isBuffer(body)) return body.length;
  return body.reduce((sum, b) => sum + b.length, 0);
}

/**
 * Sends one request and resolves with the response once its headers arrive; the caller reads or drains
 * the body. A socket idle for `timeoutMs` fails the exchange with ETIMEDOUT.
 */
export function sendOnce(
  request: HttpRequest,
  agents: HttpAgents,
  timeoutMs: number,
): Promise<IncomingMessage> {
  const https = request.url.protocol === 'https:';
  const length = bodyLength(request.body);
  const headers: Record<string, string> = { ...request.headers };
  if (request.method !== 'GET' && request.method !== 'HEAD') headers['content-length'] = String(length);
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(request.url, {
      method: request.method,
      headers,
      agent: https ? agents.https : agents.http,
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' }));
    });
    req.once('error', reject);
    req.once('response', (res) => {
      // An error on the response stream after this point reaches whoever reads the body.
      req.off('error', reject);
      req.on('error', (error) => res.destroy(error));
      resolve(res);
    });
    const body = request.body;
    if (body === undefined) {
      req.end();
      return;
    }
    const chunks = Buffer.isBuffer(body) ? [body] : body;
    void writeAll(req, chunks).then(
      () => req.end(),
      (error: unknown) => req.destroy(error as Error),
    );
  });
}

async function writeAll(req: NodeJS.WritableStream, chunks: readonly Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    if (!req.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          req.off('drain', done);
          req.off('close', closed);
          if (error) reject(error);
          else resolve();
        };
        const closed = () => done(new Error('connection closed while sending'));
        req.once('drain', done);
        req.once('close', closed);
      });
    }
  }
}

/** Reads a response body up to `limit` bytes; more than that is an error (a manifest is small). */
export async function readBody(res: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.destroy();
      throw new RangeError(`response larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads and discards a body so the socket can be reused; errors while draining do not matter. */
export async function drain(res: IncomingMessage): Promise<void> {
  try {
    await readBody(res, 1 << 20);
  } catch {
    res.destroy();
  }
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
