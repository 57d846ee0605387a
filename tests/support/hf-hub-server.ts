/**
 * A local Hugging Face Hub for the file-resolve API that `@huggingface/hub` (`downloadFile`,
 * `fileDownloadInfo`) and vLLM's downloader use, over plain HTTP on 127.0.0.1 (the client is pointed at it
 * with `hubUrl`). Modelled on the Hub's documented behaviour:
 *
 * - `GET|HEAD /{org}/{model}/resolve/{revision}/{path}`: small files come back directly (200, or 206 with
 *   `Content-Range: bytes 0-0/<size>` for a `Range: bytes=0-0` probe), with `ETag` and `X-Repo-Commit`.
 *   Files stored in LFS (weights) answer 302 to a CDN URL with `X-Linked-Size` and `X-Linked-ETag`, and
 *   the CDN honours the same range probe.
 * - A file the repository lacks: 404 with `X-Error-Code: EntryNotFound` and `{"error":"Entry not found"}`.
 * - An unknown repository: 401 `RepoNotFound` without a token (the Hub does not tell strangers which
 *   private repositories exist), 404 `RepoNotFound` with one.
 * - A gated repository: 401 `GatedRepo` ("...You must have access to it and be authenticated...") without
 *   a token, 403 `GatedRepo` ("...not in the authorized list...") with a token that has no access.
 * - A token the Hub does not know: 401 `{"error":"Invalid credentials in Authorization header"}`.
 *
 * Every request is logged (method, path, whether it carried a token) for assertions. Not modelled:
 * revisions other than `main` resolve to the same files; the model-info and tree APIs; Xet storage.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

export interface HubRepo {
  /** `org/model`. */
  id: string;
  /** Files served from git (config.json, model.safetensors.index.json), by path. */
  files: Record<string, string>;
  /** Files stored in LFS, by path: only their size is served (the body is zeros, never fetched whole). */
  lfsFiles?: Record<string, number>;
  /** Tokens with access to a gated repository; gated when set. */
  gatedFor?: string[];
}

export interface HubRequest {
  method: string;
  path: string;
  token: string | undefined;
  status: number;
}

export interface HubServer {
  url: string;
  requests: HubRequest[];
  close(): Promise<void>;
}

const COMMIT = 'a'.repeat(40);

function etag(content: string): string {
  return `"${createHash('sha1').update(content).digest('hex')}"`;
}

function hubError(res: ServerResponse, status: number, code: string | undefined, message: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    ...(code ? { 'X-Error-Code': code, 'X-Error-Message': message } : {}),
  });
  res.end(JSON.stringify({ error: message }));
}

/** A 200 for the whole content, or 206 for the `Range: bytes=0-0` probe the client sends first. */
function serveBytes(
  req: IncomingMessage,
  res: ServerResponse,
  size: number,
  /** Bytes `start` to `end` inclusive; the whole body is never built for a large LFS file. */
  slice: (start: number, end: number) => string,
  tag: string,
) {
  const headers = { ETag: tag, 'X-Repo-Commit': COMMIT, 'Accept-Ranges': 'bytes' };
  const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    const end = Math.min(Number(range[2]), size - 1);
    res.writeHead(206, {
      ...headers,
      'Content-Range': `bytes ${start}-${end}/${size}`,
      'Content-Length': end - start + 1,
    });
    res.end(req.method === 'HEAD' ? undefined : slice(start, end));
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': size });
  res.end(req.method === 'HEAD' ? undefined : slice(0, size - 1));
}

export async function startHubServer(
  repos: readonly HubRepo[],
  tokens: readonly string[] = [],
): Promise<HubServer> {
  const requests: HubRequest[] = [];
  const byId = new Map(repos.map((r) => [r.id.toLowerCase(), r]));
  let base = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const token = auth?.[1];
    const log = (status: number) =>
      requests.push({ method: req.method ?? '', path: url.pathname, token, status });
    res.on('finish', () => log(res.statusCode));

    const cdn = /^\/cdn\/(\d+)\/(.+)$/.exec(url.pathname);
    if (cdn) {
      const size = Number(cdn[1]);
      return serveBytes(req, res, size, (start, end) => '\0'.repeat(end - start + 1), `"${cdn[2]}"`);
    }
    const match = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!match) return hubError(res, 404, undefined, 'Not Found');
    const [, id = '', , path = ''] = match;
    if (token !== undefined && !tokens.includes(token)) {
      return hubError(res, 401, undefined, 'Invalid credentials in Authorization header');
    }
    const repo = byId.get(id.toLowerCase());
    if (!repo) {
      return token === undefined
        ? hubError(res, 401, 'RepoNotFound', `Repository Not Found for url: ${base}${url.pathname}.`)
        : hubError(res, 404, 'RepoNotFound', `Repository Not Found for url: ${base}${url.pathname}.`);
    }
    if (repo.gatedFor !== undefined && !(token !== undefined && repo.gatedFor.includes(token))) {
      return token === undefined
        ? hubError(
            res,
            401,
            'GatedRepo',
            `Access to model ${repo.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
          )
        : hubError(
            res,
            403,
            'GatedRepo',
            `Access to model ${repo.id} is restricted and you are not in the authorized list. Visit https://huggingface.co/${repo.id} to ask for access.`,
          );
    }
    const content = repo.files[path];
    if (content !== undefined) {
      const bytes = Buffer.from(content);
      const slice = (start: number, end: number) => bytes.subarray(start, end + 1).toString();
      return serveBytes(req, res, bytes.length, slice, etag(content));
    }
    const lfsSize = repo.lfsFiles?.[path];
    if (lfsSize !== undefined) {
      const sha = createHash('sha256').update(`${repo.id}/${path}`).digest('hex');
      res.writeHead(302, {
        Location: `${base}/cdn/${lfsSize}/${sha}`,
        'X-Linked-Size': String(lfsSize),
        'X-Linked-ETag': `"${sha}"`,
        'X-Repo-Commit': COMMIT,
      });
      return res.end();
    }
    return hubError(res, 404, 'EntryNotFound', 'Entry not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/** A `model.safetensors.index.json` whose `metadata.total_size` is `bytes`, as the Hub stores them. */
export function safetensorsIndex(bytes: number, shards = 2): string {
  const weightMap: Record<string, string> = {};
  for (let i = 1; i <= shards; i++) {
    weightMap[`model.layers.${i - 1}.self_attn.q_proj.weight`] =
      `model-${String(i).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
  }
  return JSON.stringify({ metadata: { total_size: bytes }, weight_map: weightMap }, null, 2);
}

/**
 * Qwen3-4B as the Hub serves it: its config.json (with the NaN Python's json writes, which Kaito's
 * generator sanitizes) and a 7.49 GiB safetensors index, and the catalog facts they stand for.
 */
export const QWEN3_4B: HubRepo = {
  id: 'Qwen/Qwen3-4B',
  files: {
    'config.json': JSON.stringify({
      architectures: ['Qwen3ForCausalLM'],
      hidden_size: 2560,
      num_hidden_layers: 36,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      head_dim: 128,
      max_position_embeddings: 40960,
      rope_scaling: null,
    }).replace('}', ', "initializer_range": NaN}'),
    'model.safetensors.index.json': safetensorsIndex(Math.round(7.49 * 1024 ** 3)),
  },
};

export const QWEN3_4B_FACTS = {
  id: 'Qwen/Qwen3-4B',
  modelFileSizeGiB: 7.49,
  architectures: ['Qwen3ForCausalLM'],
  modelTokenLimit: 40960,
  hiddenSize: 2560,
  numHiddenLayers: 36,
  numAttentionHeads: 32,
  numKeyValueHeads: 8,
  headDim: 128,
};

/** A Workspace `qwen3` of the model above: outside the catalog, planned only with a cache file that sizes it. */
export const QWEN3_4B_WORKSPACE = `apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: qwen3
resource:
  instanceType: Standard_NC24ads_A100_v4
  labelSelector:
    matchLabels:
      apps: qwen3
inference:
  preset:
    name: Qwen/Qwen3-4B
`;
