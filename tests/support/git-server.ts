/**
 * A real git smart-HTTP server for tests: Debian's `git http-backend` (CGI) behind a Node http server,
 * serving bare repositories from a temp dir, with basic auth checked here (push needs REMOTE_USER).
 * Helpers seed and inspect repositories with the git CLI through async execFile (a sync call would
 * block the event loop that serves the requests: deadlock).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GitServer {
  root: string;
  /** `http://127.0.0.1:<port>/<name>.git` */
  url(name: string): string;
  /** Every request as `<status> <method> <path>`, for tests that look at what the client did. */
  log: string[];
  close(): Promise<void>;
}

export interface GitServerOptions {
  username: string;
  password: string;
}

export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const root = await mkdtemp(join(tmpdir(), 'kaito-gitops-git-'));
  const log: string[] = [];
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.headers.authorization !== expected) {
      log.push(`401 ${req.method} ${path}`);
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end();
      return;
    }
    log.push(`ok ${req.method} ${path}`);
    backend(root, options.username, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    root,
    log,
    url: (name) => `http://127.0.0.1:${port}/${name}.git`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

function backend(root: string, user: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const h = req.headers;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method,
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: h['content-type'] ?? '',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_USER: user,
    ...(h['content-length'] && { CONTENT_LENGTH: h['content-length'] }),
    ...(h['content-encoding'] && { HTTP_CONTENT_ENCODING: h['content-encoding'] }),
    ...(typeof h['git-protocol'] === 'string' && { GIT_PROTOCOL: h['git-protocol'] }),
  };
  const cgi = spawn('git', ['http-backend'], { env });
  req.pipe(cgi.stdin);
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
    for (const line of head.subarray(0, end).toString().split('\r\n')) {
      const i = line.indexOf(':');
      const name = line.slice(0, i);
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === 'status') status = parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
    inBody = true;
  });
  cgi.stdout.on('end', () => res.end());
  cgi.on('error', () => res.destroy());
}

/** Runs the git CLI; a fixed identity and no user config, so results do not depend on the machine. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd,
    maxBuffer: 256 * 1024 * 1024,
    env: {
      PATH: process.env['PATH'],
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  });
  return stdout;
}

/** A bare repository `<name>.git` on the server. */
export async function createRepo(server: GitServer, name: string): Promise<string> {
  const bare = join(server.root, `${name}.git`);
  await git(server.root, 'init', '-q', '--bare', '-b', 'main', bare);
  return bare;
}

/** A URL with credentials, for the git CLI in tests only. */
export function authedUrl(url: string, username: string, password: string): string {
  const u = new URL(url);
  u.username = username;
  u.password = password;
  return u.toString();
}
