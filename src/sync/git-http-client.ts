/**
 * isomorphic-git's Node HTTP client, with one repair. When a remote's HEAD names a branch that does
 * not exist (a bare repository created with `main` as HEAD that only ever received `deploy`), the
 * server advertises no HEAD and isomorphic-git 1.44 throws "Could not find HEAD" at the end of a
 * fetch, after downloading but before storing the pack. For such advertisements this client adds a
 * HEAD line (pointing at the first advertised ref), which fetches of a named branch never use.
 */
import http from 'isomorphic-git/http/node';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';

export const gitHttpClient: HttpClient = {
  async request(request: GitHttpRequest): Promise<GitHttpResponse> {
    const response = await http.request(request);
    if (!/\/info\/refs\?service=git-upload-pack$/.test(request.url) || response.statusCode !== 200)
      return response;
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body ?? []) chunks.push(chunk);
    const body = withHead(Buffer.concat(chunks));
    return {
      ...response,
      body: once(body),
    };
  },
};

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
