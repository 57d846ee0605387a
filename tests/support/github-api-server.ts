/**
 * A local GitHub REST API for the parts kaito-gitops uses, driven through the real `@octokit/rest`,
 * `@octokit/plugin-throttling` and `@octokit/auth-app`. Paths, status codes, headers and payload
 * shapes follow docs.github.com (REST API 2022-11-28):
 *
 * - Issue comments: `GET /repos/{o}/{r}/issues/{n}/comments` (`per_page` default 30, max 100; a `Link`
 *   header with `rel="next"`/`"last"` pointing at `/repositories/{id}/issues/{n}/comments`, as GitHub
 *   does), `POST` (201; 422 "body is too long (maximum is 65536 characters)"),
 *   `PATCH /repos/{o}/{r}/issues/comments/{id}` (200), `DELETE` (204).
 * - Commit statuses: `POST /repos/{o}/{r}/statuses/{sha}` (201; 422 for an unknown commit, a bad state,
 *   or the 1,000th status of one sha + context), `GET /repos/{o}/{r}/commits/{ref}/statuses` (newest first).
 * - Commits → pulls: `GET /repos/{o}/{r}/commits/{sha}/pulls`.
 * - GitHub Apps: `POST /app/installations/{id}/access_tokens` with `Authorization: Bearer <JWT>`; the JWT
 *   must be RS256, signed by the app's key, `iss` the app id, `exp` in the future and at most 10 minutes
 *   after `iat`. Tokens (`ghs_…`) expire when the test says (default one hour) and are refused after.
 * - Authentication: `token X` / `Bearer X` with a registered token, else 401 "Bad credentials".
 * - Rate limits on demand: primary (403 or 429, `x-ratelimit-remaining: 0` + `x-ratelimit-reset`) and
 *   secondary (403 or 429 with `Retry-After` and "You have exceeded a secondary rate limit").
 *
 * Not modelled: permissions and scopes of a token, pull request review comments, the combined status
 * endpoint, conditional requests (ETag), GraphQL, webhooks, and every field of a payload beyond those
 * listed in `comment()`, `statusObject()` and `pullObject()`.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './http-body.ts';

const DOCS = 'https://docs.github.com/rest';
export const MAX_COMMENT_LENGTH = 65_536;
export const MAX_STATUSES_PER_CONTEXT = 1000;

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
  login: string;
  createdAt: string;
  updatedAt: string;
}

export interface StoredStatus {
  id: number;
  sha: string;
  state: string;
  context: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
}

export interface PullRequest {
  number: number;
  state: 'open' | 'closed';
  mergedAt?: string;
  head: string;
  base: string;
  /** Commits that belong to the pull request (its head, the merge commit after merge). */
  commits: string[];
}

interface Repository {
  id: number;
  comments: StoredComment[];
  statuses: StoredStatus[];
  commits: Set<string>;
  pulls: PullRequest[];
}

export interface GitHubRequest {
  method: string;
  path: string;
  status: number;
  /** `performance.now()` when the answer was sent. */
  at: number;
  authorization: string | undefined;
  body: unknown;
}

interface RateLimitInjection {
  kind: 'primary' | 'secondary';
  status: 403 | 429;
  remaining: number;
  retryAfterSeconds: number;
}

export interface GitHubApp {
  appId: number;
  /** PEM of the app's public key (the test keeps the private key). */
  publicKey: string;
  installationId: number;
  /** Lifetime of minted tokens. @default 3600 */
  tokenSeconds?: number;
  /** Tokens to hand out first, in order (so a git server can know them); then random ones. */
  tokens?: string[];
}

export interface GitHubApiServer {
  url: string;
  requests: GitHubRequest[];
  /** Registers a repository; returns its store for assertions. */
  repository(fullName: string): Repository;
  addToken(token: string, login?: string): void;
  addApp(app: GitHubApp): void;
  /** Installation tokens minted so far, in order. */
  mintedTokens: { token: string; expiresAt: string }[];
  rateLimit(injection: Partial<RateLimitInjection> & Pick<RateLimitInjection, 'kind'>): void;
  /** Answers the next `times` requests (any path) with `status`. */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

export async function startGitHubApiServer(): Promise<GitHubApiServer> {
  const repositories = new Map<string, Repository>();
  const tokens = new Map<string, { login: string; expiresAt?: number }>();
  const apps = new Map<number, GitHubApp & { key: KeyObject }>();
  const requests: GitHubRequest[] = [];
  const minted: { token: string; expiresAt: string }[] = [];
  const injections: RateLimitInjection[] = [];
  const failures: { status: number; remaining: number }[] = [];
  let nextId = 1000;

  const repository = (fullName: string): Repository => {
    let repo = repositories.get(fullName.toLowerCase());
    if (repo === undefined) {
      repo = { id: nextId++, comments: [], statuses: [], commits: new Set(), pulls: [] };
      repositories.set(fullName.toLowerCase(), repo);
    }
    return repo;
  };
  const byId = (id: number) => [...repositories.entries()].find(([, r]) => r.id === id);

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      send(res, 500, { message: String(error) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const authorization = req.headers.authorization;
    const log: GitHubRequest = { method, path: url.pathname, status: 0, at: 0, authorization, body };
    requests.push(log);
    const reply = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      log.at = performance.now();
      send(res, status, payload, headers);
    };

    const failure = failures[0];
    if (failure !== undefined) {
      if (--failure.remaining <= 0) failures.shift();
      return reply(failure.status, { message: 'Server Error', documentation_url: DOCS });
    }

    // The app JWT route authenticates differently from everything else.
    const tokenRoute = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname);
    if (tokenRoute !== null && method === 'POST') {
      return mintToken(Number(tokenRoute[1]), authorization, reply);
    }
    const credential = /^(?:token|bearer) (.+)$/i.exec(authorization ?? '')?.[1];
    const identity = credential === undefined ? undefined : tokens.get(credential);
    if (identity === undefined || (identity.expiresAt !== undefined && identity.expiresAt <= Date.now())) {
      return reply(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    }

    const injection = injections[0];
    if (injection !== undefined) {
      if (--injection.remaining <= 0) injections.shift();
      return rateLimited(injection, reply);
    }

    const route = matchRoute(url.pathname, byId);
    if (route === undefined) return reply(404, notFound());
    const repo = repositories.get(route.repository.toLowerCase());
    if (repo === undefined) return reply(404, notFound());
    const base = `http://${req.headers.host ?? 'localhost'}`;
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30) || 30);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);

    switch (`${method} ${route.kind}`) {
      case 'GET issue-comments': {
        const all = repo.comments.filter((c) => c.issue === route.number);
        const link = pageLinks(
          `${base}/repositories/${repo.id}/issues/${route.number}/comments`,
          page,
          perPage,
          all.length,
        );
        const slice = all.slice((page - 1) * perPage, page * perPage);
        return reply(
          200,
          slice.map((c) => comment(c, base, route.repository)),
          link,
        );
      }
      case 'POST issue-comments': {
        const text = bodyField(body, 'body');
        if (text === undefined) return reply(422, validation('IssueComment', 'body', 'missing_field'));
        if (text.length > MAX_COMMENT_LENGTH) return reply(422, tooLong());
        const now = new Date().toISOString();
        const stored = {
          id: nextId++,
          issue: route.number,
          body: text,
          login: identity.login,
          createdAt: now,
          updatedAt: now,
        };
        repo.comments.push(stored);
        return reply(201, comment(stored, base, route.repository), {
          location: `${base}/repos/${route.repository}/issues/comments/${stored.id}`,
        });
      }
      case 'PATCH comment':
      case 'DELETE comment': {
        const index = repo.comments.findIndex((c) => c.id === route.number);
        const stored = repo.comments[index];
        if (stored === undefined) return reply(404, notFound());
        if (method === 'DELETE') {
          repo.comments.splice(index, 1);
          return reply(204);
        }
        const text = bodyField(body, 'body');
        if (text === undefined) return reply(422, validation('IssueComment', 'body', 'missing_field'));
        if (text.length > MAX_COMMENT_LENGTH) return reply(422, tooLong());
        stored.body = text;
        stored.updatedAt = new Date().toISOString();
        return reply(200, comment(stored, base, route.repository));
      }
      case 'POST statuses': {
        const sha = route.sha;
        if (!repo.commits.has(sha))
          return reply(422, { message: `No commit found for SHA: ${sha}`, documentation_url: DOCS });
        const state = bodyField(body, 'state');
        if (state === undefined || !['error', 'failure', 'pending', 'success'].includes(state)) {
          return reply(422, validation('Status', 'state', 'invalid'));
        }
        const context = bodyField(body, 'context') ?? 'default';
        const same = repo.statuses.filter(
          (s) => s.sha === sha && s.context.toLowerCase() === context.toLowerCase(),
        );
        if (same.length >= MAX_STATUSES_PER_CONTEXT) {
          return reply(422, {
            message: 'Validation Failed',
            errors: [
              {
                resource: 'Status',
                code: 'custom',
                message: 'This SHA and context has reached the maximum number of statuses.',
              },
            ],
            documentation_url: DOCS,
          });
        }
        const stored: StoredStatus = {
          id: nextId++,
          sha,
          state,
          context,
          description: bodyField(body, 'description') ?? null,
          targetUrl: bodyField(body, 'target_url') ?? null,
          createdAt: new Date().toISOString(),
        };
        repo.statuses.push(stored);
        return reply(201, statusObject(stored, base, route.repository));
      }
      case 'GET commit-statuses': {
        const all = repo.statuses.filter((s) => s.sha === route.sha).reverse();
        const link = pageLinks(
          `${base}/repositories/${repo.id}/commits/${route.sha}/statuses`,
          page,
          perPage,
          all.length,
        );
        return reply(
          200,
          all.slice((page - 1) * perPage, page * perPage).map((s) => statusObject(s, base, route.repository)),
          link,
        );
      }
      case 'GET commit-pulls': {
        if (!repo.commits.has(route.sha))
          return reply(422, { message: `No commit found for SHA: ${route.sha}`, documentation_url: DOCS });
        const pulls = repo.pulls.filter((p) => p.commits.includes(route.sha));
        return reply(
          200,
          pulls.map((p) => pullObject(p, base, route.repository)),
        );
      }
      default:
        return reply(404, notFound());
    }
  }

  function mintToken(
    installationId: number,
    authorization: string | undefined,
    reply: (status: number, payload?: unknown) => void,
  ): void {
    const app = [...apps.values()].find((a) => a.installationId === installationId);
    if (app === undefined) return reply(404, notFound());
    const jwt = /^bearer (.+)$/i.exec(authorization ?? '')?.[1];
    const problem = jwt === undefined ? 'A JSON web token could not be decoded' : jwtProblem(jwt, app);
    if (problem !== undefined)
      return reply(401, { message: problem, documentation_url: DOCS, status: '401' });
    const token = app.tokens?.shift() ?? `ghs_${randomBytes(18).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + (app.tokenSeconds ?? 3600) * 1000);
    // GitHub gives expires_at to the second
    const expiresText = expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
    tokens.set(token, { login: 'kaito-gitops[bot]', expiresAt: expiresAt.getTime() });
    minted.push({ token, expiresAt: expiresText });
    reply(201, {
      token,
      expires_at: expiresText,
      permissions: { issues: 'write', pull_requests: 'write', statuses: 'write', contents: 'read' },
      repository_selection: 'all',
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    mintedTokens: minted,
    repository,
    addToken: (token, login = 'ci-bot') => void tokens.set(token, { login }),
    addApp: (app) => void apps.set(app.appId, { ...app, key: createPublicKey(app.publicKey) }),
    rateLimit: (injection) =>
      void injections.push({ status: 403, remaining: 1, retryAfterSeconds: 1, ...injection }),
    failNext: (status, times = 1) => void failures.push({ status, remaining: times }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Route {
  kind: 'issue-comments' | 'comment' | 'statuses' | 'commit-statuses' | 'commit-pulls';
  repository: string;
  /** Issue or comment number; 0 for commit routes. */
  number: number;
  /** Commit; '' for comment routes. */
  sha: string;
}

function matchRoute(path: string, byId: (id: number) => [string, Repository] | undefined): Route | undefined {
  // Link headers point at /repositories/{id}/…; answer them like /repos/{owner}/{repo}/…
  const aliased = /^\/repositories\/(\d+)(\/.*)$/.exec(path);
  let full = path;
  if (aliased !== null) {
    const found = byId(Number(aliased[1]));
    if (found === undefined) return undefined;
    full = `/repos/${found[0]}${aliased[2]}`;
  }
  const m = /^\/repos\/([^/]+\/[^/]+)\/(.+)$/.exec(full);
  if (m === null) return undefined;
  const [, repository = '', rest = ''] = m;
  const routes: [RegExp, Route['kind'], 'number' | 'sha'][] = [
    [/^issues\/(\d+)\/comments$/, 'issue-comments', 'number'],
    [/^issues\/comments\/(\d+)$/, 'comment', 'number'],
    [/^statuses\/([0-9a-f]{40})$/, 'statuses', 'sha'],
    [/^commits\/([^/]+)\/statuses$/, 'commit-statuses', 'sha'],
    [/^commits\/([^/]+)\/pulls$/, 'commit-pulls', 'sha'],
  ];
  for (const [pattern, kind, part] of routes) {
    const value = pattern.exec(rest)?.[1];
    if (value === undefined) continue;
    return {
      kind,
      repository,
      number: part === 'number' ? Number(value) : 0,
      sha: part === 'sha' ? value : '',
    };
  }
  return undefined;
}

/** Why GitHub would refuse this JWT, or undefined when it is good. */
function jwtProblem(jwt: string, app: { appId: number; key: KeyObject }): string | undefined {
  const [header, payload, signature] = jwt.split('.');
  if (header === undefined || payload === undefined || signature === undefined) {
    return 'A JSON web token could not be decoded';
  }
  let claims: { iat?: unknown; exp?: unknown; iss?: unknown };
  let alg: unknown;
  try {
    alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return 'A JSON web token could not be decoded';
  }
  if (alg !== 'RS256') return 'A JSON web token could not be decoded';
  const valid = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    app.key,
    Buffer.from(signature, 'base64url'),
  );
  if (!valid || String(claims.iss) !== String(app.appId)) return 'A JSON web token could not be decoded';
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.iat !== 'number' || claims.iat > now + 60) {
    return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.";
  }
  if (typeof claims.exp !== 'number' || claims.exp <= now) {
    return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.";
  }
  if (claims.exp - claims.iat > 600) return "'Expiration time' claim ('exp') is too far in the future.";
  return undefined;
}

function rateLimited(
  injection: RateLimitInjection,
  reply: (status: number, payload?: unknown, headers?: Record<string, string>) => void,
): void {
  const reset = Math.floor(Date.now() / 1000) + injection.retryAfterSeconds;
  if (injection.kind === 'primary') {
    return reply(
      injection.status,
      {
        message: 'API rate limit exceeded for installation ID 1.',
        documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
      },
      {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '5000',
        'x-ratelimit-reset': String(reset),
        'x-ratelimit-resource': 'core',
      },
    );
  }
  return reply(
    injection.status,
    {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
      documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
    },
    { 'retry-after': String(injection.retryAfterSeconds) },
  );
}

function pageLinks(url: string, page: number, perPage: number, total: number): Record<string, string> {
  const last = Math.max(1, Math.ceil(total / perPage));
  const at = (p: number) => `<${url}?per_page=${perPage}&page=${p}>`;
  const links: string[] = [];
  if (page > 1) links.push(`${at(page - 1)}; rel="prev"`);
  if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
  if (page > 1) links.push(`${at(1)}; rel="first"`);
  return links.length === 0 ? {} : { link: links.join(', ') };
}

function comment(c: StoredComment, base: string, repository: string) {
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${base}/repos/${repository}/issues/comments/${c.id}`,
    html_url: `https://github.com/${repository}/pull/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${base}/repos/${repository}/issues/${c.issue}`,
    body: c.body,
    user: { login: c.login, id: 1, type: c.login.endsWith('[bot]') ? 'Bot' : 'User' },
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: 'NONE',
  };
}

function statusObject(s: StoredStatus, base: string, repository: string) {
  return {
    url: `${base}/repos/${repository}/statuses/${s.sha}`,
    id: s.id,
    node_id: `SC_${s.id}`,
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    creator: { login: 'ci-bot', id: 1, type: 'User' },
  };
}

function pullObject(p: PullRequest, base: string, repository: string) {
  return {
    url: `${base}/repos/${repository}/pulls/${p.number}`,
    number: p.number,
    state: p.state,
    merged_at: p.mergedAt ?? null,
    head: { sha: p.head, ref: `pr-${p.number}` },
    base: { sha: p.base, ref: 'main' },
  };
}

function notFound() {
  return { message: 'Not Found', documentation_url: DOCS, status: '404' };
}

function validation(resource: string, field: string, code: string) {
  return {
    message: 'Validation Failed',
    errors: [{ resource, field, code }],
    documentation_url: DOCS,
    status: '422',
  };
}

function tooLong() {
  return {
    message: 'Validation Failed',
    errors: [
      {
        resource: 'IssueComment',
        code: 'custom',
        field: 'body',
        message: 'body is too long (maximum is 65536 characters)',
      },
    ],
    documentation_url: DOCS,
    status: '422',
  };
}

function bodyField(body: unknown, field: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' ? value : undefined;
}

function send(
  res: ServerResponse,
  status: number,
  payload?: unknown,
  headers: Record<string, string> = {},
): void {
  const text = payload === undefined ? '' : JSON.stringify(payload);
  res.writeHead(status, {
    ...(payload === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'x-github-api-version-selected': '2022-11-28',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    ...headers,
  });
  res.end(text);
}
