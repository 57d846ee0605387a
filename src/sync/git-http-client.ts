/**
 * The HTTP client isomorphic-git talks to remotes with: Node's fetch, with a timeout on every request
 * (no answer, or no progress while a body streams, for `timeoutMs` ends it with a
 * {@link GitTimeoutError}), an AbortSignal that ends every request at once when the process is asked
 * to stop, and one repair. When a remote's HEAD names a branch that does not exist (a bare repository
 * created with `main` as HEAD that only ever received `deploy`), the server advertises no HEAD and
 * isomorphic-git 1.44 throws "Could not find HEAD" at the end of a fetch, after downloading but
 * before storing the pack. For such advertisements this client adds a HEAD line (pointing at the
 * first advertised ref), which fetches of a named branch never use.
 */
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import { ReadableStream } from 'node:stream/web';
import { TransientError } from '../errors.ts';

export interface GitHttpOptions {
  /** How long a request may wait for an answer, or for the next chunk of a body. @default 30000 */
  timeoutMs?: number;
  /** Ends every request of this client, in flight or later (the process was asked to stop). */
  signal?: AbortSignal;
}

/** A remote that did not answer (or stopped sending) within the timeout; worth another attempt. */
export class GitTimeoutError extends TransientError {
  override name = 'GitTimeoutError';
}

export function gitHttpClient(options: GitHttpOptions = {}): HttpClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    async request(request: GitHttpRequest): Promise<GitHttpResponse> {
      const controller = new AbortController();
      const stop = () => controller.abort(options.signal?.reason);
      if (options.signal?.aborted) stop();
      options.signal?.addEventListener('abort', stop, { once: true });
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          controller.abort(
            new GitTimeoutError(
              `${request.method ?? 'GET'} ${request.url}: no answer within ${timeoutMs / 1000}s`,
            ),
          );
        }, timeoutMs);
      };
      const done = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', stop);
      };
      arm();
      try {
        // A request body is streamed as it is produced (a push's pack is built while it is sent), each
        // chunk counting as progress for the timeout.
        const source = request.body;
        async function* progressing(): AsyncGenerator<Uint8Array> {
          for await (const chunk of source ?? []) {
            arm();
            yield chunk;
          }
        }
        const response = await fetch(request.url, {
          method: request.method ?? 'GET',
          headers: request.headers ?? {},
          ...(source === undefined ? {} : { body: ReadableStream.from(progressing()), duplex: 'half' }),
          signal: controller.signal,
          redirect: 'follow',
        });
        arm();
        const chunks = streamed(response.body, arm, done, controller.signal);
        const answer: GitHttpResponse = {
          url: response.url,
          method: request.method ?? 'GET',
          statusCode: response.status,
          statusMessage: response.statusText,
          headers: Object.fromEntries(response.headers),
          body: chunks,
        };
        if (!/\/info\/refs\?service=git-upload-pack$/.test(request.url) || response.status !== 200)
          return answer;
        return { ...answer, body: once(withHead(Buffer.concat(await collect(chunks)))) };
      } catch (error) {
        done();
        throw controller.signal.aborted && controller.signal.reason instanceof Error
          ? controller.signal.reason
          : error;
      }
    },
  };
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks;
}

/** The response body, re-arming the timeout on every chunk; an abort surfaces as its reason. */
async function* streamed(
  body: ReadableStream<Uint8Array> | null,
  progress: () => void,
  done: () => void,
  signal: AbortSignal,
): AsyncIterableIterator<Uint8Array> {
  try {
    if (body === null) return;
    for await (const chunk of body) {
      progress();
      yield chunk;
    }
  } catch (error) {
    throw signal.aborted && signal.reason instanceof Error ? signal.reason : error;
  } finally {
    done();
  }
}

function once(chunk: Uint8Array): AsyncIterableIterator<Uint8Array> {
  let sent = false;
  const iterator: AsyncIterableIterator<Uint8Array> = {
    next: () => {
      if (sent) return Promise.resolve({ done: true, value: undefined });
      sent = true;
      return Promise.resolve({ done: false, value: chunk });
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** The advertisement with a HEAD line added when it has refs but no HEAD; unchanged otherwise. */
export function withHead(advertisement: Buffer): Buffer {
  const lines: Buffer[] = [];
  let offset = 0;
  while (offset + 4 <= advertisement.length) {
    const length = Number.parseInt(advertisement.subarray(offset, offset + 4).toString('latin1'), 16);
    if (Number.isNaN(length)) return advertisement;
    const size = length === 0 ? 4 : length;
    lines.push(advertisement.subarray(offset, offset + size));
    offset += size;
  }
  // "# service=..." , flush, then "<oid> <ref>\0<capabilities>\n", more refs, flush.
  const firstRef = lines.findIndex(
    (line, i) => i > 0 && line.length > 4 && lines[i - 1]?.toString() === '0000',
  );
  const first = lines[firstRef];
  if (firstRef < 0 || first === undefined) return advertisement;
  const text = first.subarray(4).toString('utf8');
  const nul = text.indexOf('\0');
  if (nul < 0) return advertisement;
  const [oid, ref] = text.slice(0, nul).split(' ');
  if (oid === undefined || ref === undefined || ref === 'HEAD' || /^0{40}$/.test(oid)) return advertisement;
  const head = pktLine(`${oid} HEAD${text.slice(nul)}`);
  const rest = pktLine(`${oid} ${ref}\n`);
  return Buffer.concat([
    ...lines.slice(0, firstRef),
    head,
    rest,
    ...lines.slice(firstRef + 1),
    advertisement.subarray(offset),
  ]);
}

function pktLine(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, '0'), 'latin1'), payload]);
}
