/**
 * A push over git's smart HTTP protocol (gitprotocol-http(5), gitprotocol-pack(5) "Pushing Data To a
 * Server"): read the remote's refs, then send one ref update and the pack in one streamed request.
 * The pack holds exactly the objects the pass created (packfile.ts), so a one-workspace change sends
 * a handful of objects and a first push of thousands is sent as it is built. The update is only sent
 * as a fast-forward of the tip this pass built on: when the remote advertises anything else, the
 * outcome is `rejected` and the caller starts over from a fresh fetch (as for a non-fast-forward).
 */
import { Errors, type HttpClient } from 'isomorphic-git';
import type { PackStream } from './packfile.ts';

export type PushOutcome =
  /** `objects`: how many objects the pack carried. */
  { ok: true; objects: number } | { ok: false; reason: 'rejected'; detail: string };

export interface ReceivePackRequest {
  /** The repository URL, without credentials. */
  url: string;
  /** Authorization, sent up front. */
  headers: Record<string, string>;
  /** e.g. `refs/heads/deploy` */
  ref: string;
  /** The tip the new commit builds on; undefined when the branch is new. */
  parent: string | undefined;
  commit: string;
  pack: PackStream;
  /** The mirror's client: its timeouts and stop signal apply; the pack is streamed as the body. */
  http: HttpClient;
}

const ZERO = '0'.repeat(40);

export async function receivePack(request: ReceivePackRequest): Promise<PushOutcome> {
  const base = request.url.replace(/\/+$/, '');
  const advertised = await readRefs(
    request.http,
    `${base}/info/refs?service=git-receive-pack`,
    request.headers,
  );
  const old = advertised.get(request.ref) ?? ZERO;
  if (old !== (request.parent ?? ZERO)) {
    return {
      ok: false,
      reason: 'rejected',
      detail: `${request.ref} is at ${old.slice(0, 12)} on the remote, not at ${(request.parent ?? ZERO).slice(0, 12)}: the branch moved`,
    };
  }
  const command = pktLine(`${old} ${request.commit} ${request.ref}\0report-status agent=kaito-gitops\n`);
  // An async iterator (the HTTP client's body type) over chunks made as the request is sent.
  const body = async function* (): AsyncGenerator<Uint8Array> {
    yield command;
    yield FLUSH;
    for (const chunk of request.pack.chunks()) yield await Promise.resolve(chunk);
  };
  const answer = await send(request.http, `${base}/git-receive-pack`, {
    method: 'POST',
    headers: {
      ...request.headers,
      'Content-Type': 'application/x-git-receive-pack-request',
      Accept: 'application/x-git-receive-pack-result',
    },
    body: body(),
  });
  return reportStatus(pktLines(answer), request.ref, request.pack.count);
}

/** The refs a receive-pack advertisement lists, name → oid (the capability list after NUL dropped). */
async function readRefs(
  http: HttpClient,
  url: string,
  headers: Record<string, string>,
): Promise<Map<string, string>> {
  const refs = new Map<string, string>();
  for (const line of pktLines(await send(http, url, { method: 'GET', headers }))) {
    if (line === undefined || line.startsWith('#')) continue;
    const [oid, name] = line.split('\0')[0]?.trimEnd().split(' ') ?? [];
    if (oid !== undefined && name !== undefined && /^[0-9a-f]{40}$/.test(oid)) refs.set(name, oid);
  }
  return refs;
}

/** `unpack ok`, then `ok <ref>` or `ng <ref> <reason>`. */
function reportStatus(lines: readonly (string | undefined)[], ref: string, objects: number): PushOutcome {
  const text = lines.filter((line): line is string => line !== undefined).map((line) => line.trimEnd());
  const unpack = text.find((line) => line.startsWith('unpack '));
  if (unpack !== 'unpack ok') {
    throw new Errors.GitPushError(unpack ?? 'no unpack status in the answer', {
      ok: false,
      error: unpack ?? '',
      refs: {},
      headers: {},
    });
  }
  if (text.includes(`ok ${ref}`)) return { ok: true, objects };
  const refused = text.find((line) => line.startsWith(`ng ${ref} `));
  return {
    ok: false,
    reason: 'rejected',
    detail: refused?.slice(`ng ${ref} `.length) ?? 'push not accepted',
  };
}

/** The answer's body; an HTTP error answer as isomorphic-git's HttpError (the engine classifies those). */
async function send(
  http: HttpClient,
  url: string,
  request: { method: string; headers: Record<string, string>; body?: AsyncIterableIterator<Uint8Array> },
): Promise<Buffer> {
  const response = await http.request({ url, ...request });
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body ?? []) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  if (response.statusCode !== 200) {
    throw new Errors.HttpError(response.statusCode, response.statusMessage, body.toString('utf8'));
  }
  return body;
}

const FLUSH = Buffer.from('0000', 'latin1');

function pktLine(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, '0'), 'latin1'), payload]);
}

/** The payloads of a pkt-line stream; undefined for each flush packet. */
function pktLines(data: Buffer): (string | undefined)[] {
  const lines: (string | undefined)[] = [];
  let offset = 0;
  while (offset + 4 <= data.length) {
    const length = Number.parseInt(data.subarray(offset, offset + 4).toString('latin1'), 16);
    if (Number.isNaN(length)) break;
    if (length === 0) {
      lines.push(undefined);
      offset += 4;
      continue;
    }
    lines.push(data.subarray(offset + 4, offset + length).toString('utf8'));
    offset += length;
  }
  return lines;
}
