/**
 * A local GitLab REST API (v4) for merge request notes and commit statuses, driven through the real
 * `@gitbeaker/rest`. Paths, status codes, headers and payload shapes follow docs.gitlab.com:
 *
 * - `GET /api/v4/projects/:id/merge_requests/:iid/notes` (`per_page` default 20, max 100; `sort`,
 *   `order_by`), with GitLab's offset-pagination headers (`x-page`, `x-per-page`, `x-total`,
 *   `x-total-pages`, `x-next-page`, `x-prev-page`) and `Link`; `POST` (201; 400 over 1,000,000
 *   characters), `PUT …/notes/:note_id` (200), `DELETE` (204). `:id` is a number or the URL-encoded path.
 * - `POST /api/v4/projects/:id/statuses/:sha` (201): one status per name, moved through GitLab's state
 *   machine; posting the state it already has answers 400 "Cannot transition status via :succeed from
 *   :success". An unknown commit answers 404 "404 Commit Not Found".
 *   `GET /api/v4/projects/:id/repository/commits/:sha/statuses` (latest per name; `all=true` for every
 *   one; `name` filter), `GET …/repository/commits/:sha/merge_requests`.
 * - Authentication: `PRIVATE-TOKEN` or `Authorization: Bearer`, else 401 "401 Unauthorized".
 * - On demand: 429 "Retry later" with `Retry-After` and `RateLimit-*` headers, as GitLab's Rack::Attack.
 *
 * Not modelled: pipelines (statuses keep a pipeline id of 1), the allowed transitions beyond "not the
 * same state", note system events, discussions, keyset pagination, and payload fields beyond those
 * written below.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './http-body.ts';

export const MAX_NOTE_LENGTH = 1_000_000;

export interface StoredNote {
  id: number;
  iid: number;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface StoredStatus {
  id: number;
  sha: string;
  name: string;
  status: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
}

export interface MergeRequest {
  iid: number;
  state: 'opened' | 'closed' | 'merged';
  commits: string[];
}

interface Project {
  id: number;
  path: string;
  notes: StoredNote[];
  statuses: StoredStatus[];
  commits: Set<string>;
  mergeRequests: MergeRequest[];
}

export interface GitLabRequest {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

export interface GitLabApiServer {
  /** Instance URL, without `/api/v4`. */
  url: string;
  requests: GitLabRequest[];
  project(path: string): Project;
  addToken(token: string): void;
  /** Answers the next `times` requests with 429 and `Retry-After: seconds`. */
  rateLimit(times?: number, seconds?: number): void;
  close(): Promise<void>;
}

const EVENTS: Record<string, string> = {
  pending: 'enqueue',
  running: 'run',
  success: 'succeed',
  failed: 'drop',
  canceled: 'cancel',
};

export async function startGitLabApiServer(): Promise<GitLabApiServer> {
  const projects = new Map<string, Project>();
  const tokens = new Set<string>();
  const requests: GitLabRequest[] = [];
  let limited = { remaining: 0, seconds: 1 };
  let nextId = 500;

  const project = (path: string): Project => {
    let found = projects.get(path);
    if (found === undefined) {
      found = { id: nextId++, path, notes: [], statuses: [], commits: new Set(), mergeRequests: [] };
      projects.set(path, found);
    }
    return found;
  };
  const lookup = (id: string) =>
    /^\d+$/.test(id) ? [...projects.values()].find((p) => p.id === Number(id)) : projects.get(id);

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    const body = parseBody(text, req.headers['content-type']);
    const log: GitLabRequest = { method, path: url.pathname, status: 0, body };
    requests.push(log);
    const reply = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      send(res, status, payload, headers);
    };

    const token = req.headers['private-token'] ?? /^bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (typeof token !== 'string' || !tokens.has(token)) return reply(401, { message: '401 Unauthorized' });
    if (limited.remaining > 0) {
      limited.remaining--;
      const reset = Math.floor(Date.now() / 1000) + limited.seconds;
      res.writeHead(429, {
        'content-type': 'text/plain',
        'retry-after': String(limited.seconds),
        'ratelimit-limit': '600',
        'ratelimit-observed': '601',
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(reset),
      });
      log.status = 429;
      res.end('Retry later\n');
      return;
    }

    // The project id is one path segment: GitLab takes `group%2Fsub%2Fproject` or a number.
    const m = /^\/api\/v4\/projects\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (m === null) return reply(404, { message: '404 Not Found' });
    const proj = lookup(decodeURIComponent(m[1] ?? ''));
    if (proj === undefined) return reply(404, { message: '404 Project Not Found' });
    const rest = m[2] ?? '';
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 20) || 20);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const base = `http://${req.headers.host ?? 'localhost'}${url.pathname}`;
    let r: RegExpExecArray | null;

    if ((r = /^merge_requests\/(\d+)\/notes(?:\/(\d+))?$/.exec(rest))) {
      const iid = Number(r[1]);
      if (!proj.mergeRequests.some((mr) => mr.iid === iid)) return reply(404, { message: '404 Not found' });
      const noteId = r[2] === undefined ? undefined : Number(r[2]);
      if (noteId === undefined && method === 'GET') {
        const desc = (url.searchParams.get('sort') ?? 'desc') === 'desc';
        const all = proj.notes
          .filter((n) => n.iid === iid)
          .sort((a, b) => (desc ? b.id - a.id : a.id - b.id));
        const headers = pagination(base, url.searchParams, page, perPage, all.length);
        return reply(
          200,
          all.slice((page - 1) * perPage, page * perPage).map((n) => note(n, proj)),
          headers,
        );
      }
      if (noteId === undefined && method === 'POST') {
        const text = field(body, 'body');
        if (text === undefined || text === '')
          return reply(400, { message: '400 Bad request - body is missing' });
        if (text.length > MAX_NOTE_LENGTH)
          return reply(400, { message: { note: ['is too long (maximum is 1000000 characters)'] } });
        const now = new Date().toISOString();
        const stored = { id: nextId++, iid, body: text, createdAt: now, updatedAt: now };
        proj.notes.push(stored);
        return reply(201, note(stored, proj));
      }
      const stored = proj.notes.find((n) => n.id === noteId && n.iid === iid);
      if (stored === undefined) return reply(404, { message: '404 Not found' });
      if (method === 'PUT') {
        const text = field(body, 'body');
        if (text === undefined) return reply(400, { message: '400 Bad request - body is missing' });
        if (text.length > MAX_NOTE_LENGTH)
          return reply(400, { message: { note: ['is too long (maximum is 1000000 characters)'] } });
        stored.body = text;
        stored.updatedAt = new Date().toISOString();
        return reply(200, note(stored, proj));
      }
      if (method === 'DELETE') {
        proj.notes.splice(proj.notes.indexOf(stored), 1);
        return reply(204);
      }
      if (method === 'GET') return reply(200, note(stored, proj));
      return reply(405, { message: '405 Method Not Allowed' });
    }

    if ((r = /^statuses\/([0-9a-f]{40})$/.exec(rest)) && method === 'POST') {
      const sha = r[1] ?? '';
      if (!proj.commits.has(sha)) return reply(404, { message: '404 Commit Not Found' });
      const state = field(body, 'state') ?? '';
      const event = EVENTS[state];
      if (event === undefined) return reply(400, { error: 'state does not have a valid value' });
      const name = field(body, 'name') ?? field(body, 'context') ?? 'default';
      const latest = proj.statuses.filter((s) => s.sha === sha && s.name === name).at(-1);
      if (latest !== undefined && latest.status === state) {
        return reply(400, {
          message: `Cannot transition status via :${event} from :${latest.status} (Reason(s): Status cannot transition via "${event}")`,
        });
      }
      const stored: StoredStatus = {
        id: nextId++,
        sha,
        name,
        status: state,
        description: field(body, 'description') ?? null,
        targetUrl: field(body, 'target_url') ?? null,
        createdAt: new Date().toISOString(),
      };
      proj.statuses.push(stored);
      return reply(201, statusObject(stored));
    }

    if (
      (r = /^repository\/commits\/([0-9a-f]{40})\/(statuses|merge_requests)$/.exec(rest)) &&
      method === 'GET'
    ) {
      const sha = r[1] ?? '';
      if (!proj.commits.has(sha)) return reply(404, { message: '404 Commit Not Found' });
      if (r[2] === 'merge_requests') {
        const found = proj.mergeRequests.filter((mr) => mr.commits.includes(sha));
        return reply(
          200,
          found.map((mr) => ({
            id: mr.iid + 10_000,
            iid: mr.iid,
            project_id: proj.id,
            state: mr.state,
            sha: mr.commits.at(-1),
          })),
        );
      }
      const name = url.searchParams.get('name');
      let found = proj.statuses.filter((s) => s.sha === sha && (name === null || s.name === name));
      if (url.searchParams.get('all') !== 'true') {
        found = found.filter((s) => s === found.filter((o) => o.name === s.name).at(-1));
      }
      const headers = pagination(base, url.searchParams, page, perPage, found.length);
      return reply(200, found.slice((page - 1) * perPage, page * perPage).map(statusObject), headers);
    }
    return reply(404, { message: '404 Not Found' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    project,
    addToken: (token) => void tokens.add(token),
    rateLimit: (times = 1, seconds = 1) => {
      limited = { remaining: times, seconds };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function pagination(
  base: string,
  query: URLSearchParams,
  page: number,
  perPage: number,
  total: number,
): Record<string, string> {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const at = (p: number) => {
    const q = new URLSearchParams(query);
    q.set('page', String(p));
    q.set('per_page', String(perPage));
    return `<${base}?${q.toString()}>`;
  };
  const links = [`${at(1)}; rel="first"`, `${at(pages)}; rel="last"`];
  if (page > 1) links.unshift(`${at(page - 1)}; rel="prev"`);
  if (page < pages) links.unshift(`${at(page + 1)}; rel="next"`);
  return {
    link: links.join(', '),
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-total': String(total),
    'x-total-pages': String(pages),
    'x-next-page': page < pages ? String(page + 1) : '',
    'x-prev-page': page > 1 ? String(page - 1) : '',
  };
}

function note(n: StoredNote, project: Project) {
  return {
    id: n.id,
    type: null,
    body: n.body,
    attachment: null,
    author: { id: 1, username: 'kaito-gitops-bot', name: 'kaito-gitops', state: 'active' },
    created_at: n.createdAt,
    updated_at: n.updatedAt,
    system: false,
    noteable_id: n.iid + 10_000,
    noteable_type: 'MergeRequest',
    project_id: project.id,
    noteable_iid: n.iid,
    resolvable: false,
    confidential: false,
    internal: false,
  };
}

function statusObject(s: StoredStatus) {
  return {
    id: s.id,
    sha: s.sha,
    ref: 'main',
    status: s.status,
    name: s.name,
    target_url: s.targetUrl,
    description: s.description,
    created_at: s.createdAt,
    started_at: null,
    finished_at: null,
    allow_failure: false,
    coverage: null,
    pipeline_id: 1,
    author: { id: 1, username: 'kaito-gitops-bot', name: 'kaito-gitops', state: 'active' },
  };
}

function field(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** GitLab accepts JSON, form and query-string bodies; gitbeaker sends JSON. */
function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  if (contentType?.includes('application/json')) return JSON.parse(text) as unknown;
  return Object.fromEntries(new URLSearchParams(text));
}

function send(
  res: ServerResponse,
  status: number,
  payload?: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    ...headers,
  });
  res.end(payload === undefined ? '' : JSON.stringify(payload));
}
