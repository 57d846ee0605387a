/**
 * A git smart-HTTP server: `git http-backend` (shipped with git) behind Node's `http`, with HTTP basic
 * auth checked here. It serves every bare repository under one root, so `http://host:port/x.git` is
 * `<root>/x.git`. The demo serves its local repositories with it, and the tests use it as the real
 * remote that isomorphic-git and the git CLI clone, fetch and push.
 */
import { spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpServerOptions {
  /** Directory holding the bare repositories (`GIT_PROJECT_ROOT`). */
  root: string;
  /** Accepted basic-auth users; without it every request is served anonymously (push included). */
  users?: Readonly<Record<string, string>>;
  /** Users allowed to push; the others may only clone and fetch. @default every user */
  pushers?: readonly string[];
  /** Called once per request after auth, e.g. to count requests or inject a failure. */
  onRequest?: (request: { method: string; path: string; user: string | undefined }) => void;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>` with no trailing slash. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const handler = gitHttpHandler(options);
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The request handler alone, to mount in another server. */
export function gitHttpHandler(options: GitHttpServerOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    let user: string | undefined = 'anonymous';
    if (options.users !== undefined) {
      user = authenticate(req.headers.authorization, options.users);
      if (user === undefined) {
        req.resume();
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
        res.end('authentication required\n');
        return;
      }
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const push =
      url.pathname.endsWith('/git-receive-pack') || url.searchParams.get('service') === 'git-receive-pack';
    if (push && options.pushers !== undefined && !options.pushers.includes(user)) {
      req.resume();
      res.writeHead(403, { 'Content-Type': 'text/plain' });
      res.end(`${user} may not push\n`);
      return;
    }
    options.onRequest?.({ method: req.method ?? 'GET', path: url.pathname, user });
    runBackend(options.root, user, url, req, res);
  };
}

/** The user of a valid `Authorization: Basic` header, or undefined. */
function authenticate(
  header: string | undefined,
  users: Readonly<Record<string, string>>,
): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const name = decoded.slice(0, colon);
  const expected = users[name];
  if (expected === undefined) return undefined;
  const given = Buffer.from(decoded.slice(colon + 1));
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want) ? name : undefined;
}

/**
 * One CGI call: the request becomes environment variables and stdin; stdout is CGI headers, a blank
 * line, then the body. `REMOTE_USER` is what lets `git-receive-pack` accept a push.
 */
function runBackend(root: string, user: string, url: URL, req: IncomingMessage, res: ServerResponse): void {
  const h = req.headers;
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: h['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    REMOTE_USER: user,
  };
  if (h['content-length'] !== undefined) env['CONTENT_LENGTH'] = h['content-length'];
  const encoding = h['content-encoding'];
  if (typeof encoding === 'string') env['HTTP_CONTENT_ENCODING'] = encoding;
  const protocol = h['git-protocol'];
  if (typeof protocol === 'string') env['GIT_PROTOCOL'] = protocol;

  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(cgi.stdin);
  cgi.stdin.on('error', () => undefined); // the backend may answer (e.g. 404) before reading the body
  let stderr = '';
  cgi.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let head = Buffer.alloc(0);
  let inBody = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (inBody) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
    inBody = true;
  });
  cgi.on('error', (error) => {
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end(`git http-backend failed: ${error.message}\n`);
  });
  cgi.on('close', (code) => {
    if (!inBody && !res.headersSent) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`git http-backend exited with ${code}: ${stderr}\n`);
      return;
    }
    res.end();
  });
}
