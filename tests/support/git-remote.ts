/**
 * A real git remote for sync tests: bare repositories under a temp root served by the product's
 * `git http-backend` bridge with basic auth, seeded and inspected with the git CLI (async execFile
 * only: the server runs in this process).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { startGitHttpServer, type GitHttpServer } from '../../src/sync/git-http-server.ts';

const run = promisify(execFile);

export const GIT_USER = 'sync-bot';
export const GIT_PASSWORD = 'pw-9f8e7d6c5b4a';
/** May clone and fetch, never push. */
export const READER_USER = 'reader';
export const READER_TOKEN = 'tok-reader-5e4d3c2b1a';

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'dev',
      GIT_AUTHOR_EMAIL: 'dev@example.com',
      GIT_COMMITTER_NAME: 'dev',
      GIT_COMMITTER_EMAIL: 'dev@example.com',
      GIT_TERMINAL_PROMPT: '0',
    },
  });
  return stdout;
}

export interface GitRemote {
  root: string;
  server: GitHttpServer;
  /** Requests seen, for asserting on what travelled. */
  requests: { method: string; path: string; user: string | undefined }[];
  /** `http://127.0.0.1:<port>/<name>` (no credentials). */
  url(name: string): string;
  /** The same with the test user's credentials in it, for the git CLI. */
  authedUrl(name: string): string;
  bare(name: string): string;
  createRepo(name: string): Promise<void>;
  /** A scratch directory under the root. */
  scratch(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * `sync` flags from the specs in `gitops/workspaces` of repository `source` to branch `deploy` of
 * repository `deploy`, at `targetPath`; a cache directory only when `cacheDir` is given.
 */
export function syncFlags(
  remote: GitRemote,
  options: { source?: string; deploy?: string; targetPath?: string; cacheDir?: string } = {},
): string[] {
  return [
    'sync',
    '--source',
    remote.url(options.source ?? 'models.git'),
    '--source-path',
    'gitops/workspaces',
    '--target',
    remote.url(options.deploy ?? 'deploy.git'),
    '--target-branch',
    'deploy',
    '--target-path',
    options.targetPath ?? 'clusters/prod',
    ...(options.cacheDir === undefined ? [] : ['--cache-dir', options.cacheDir]),
  ];
}

export async function startGitRemote(): Promise<GitRemote> {
  const root = await mkdtemp(join(tmpdir(), 'kaito-sync-'));
  const requests: GitRemote['requests'] = [];
  const server = await startGitHttpServer({
    root: join(root, 'repos'),
    users: { [GIT_USER]: GIT_PASSWORD, [READER_USER]: READER_TOKEN },
    pushers: [GIT_USER],
    onRequest: (r) => requests.push(r),
  });
  await mkdir(join(root, 'repos'));
  const authed = server.url.replace('://', `://${GIT_USER}:${GIT_PASSWORD}@`);
  return {
    root,
    server,
    requests,
    url: (name) => `${server.url}/${name}`,
    authedUrl: (name) => `${authed}/${name}`,
    bare: (name) => join(root, 'repos', name),
    createRepo: async (name) => {
      await git(root, 'init', '-q', '--bare', '-b', 'main', join(root, 'repos', name));
    },
    scratch: async (name) => {
      const dir = join(root, 'scratch', name);
      await mkdir(dir, { recursive: true });
      return dir;
    },
    close: async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * A developer's clone of one branch: `change` writes (text or bytes) or deletes (null) files, commits and
 * pushes, rebasing on whatever others pushed meanwhile. Returns the pushed commit.
 */
export class Checkout {
  readonly dir: string;
  readonly #url: string;
  readonly #branch: string;

  private constructor(dir: string, url: string, branch: string) {
    this.dir = dir;
    this.#url = url;
    this.#branch = branch;
  }

  static async create(remote: GitRemote, repo: string, name: string, branch = 'main'): Promise<Checkout> {
    const dir = await remote.scratch(name);
    await git(dir, 'init', '-q', '-b', branch);
    return new Checkout(dir, remote.authedUrl(repo), branch);
  }

  async change(files: Record<string, string | Uint8Array | null>, message: string): Promise<string> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const remoteTip = (await git(this.dir, 'ls-remote', this.#url, `refs/heads/${this.#branch}`)).split(
        '\t',
      )[0];
      if (remoteTip) {
        await git(this.dir, 'fetch', '-q', this.#url, this.#branch);
        await git(this.dir, 'reset', '-q', '--hard', 'FETCH_HEAD');
      }
      for (const [path, content] of Object.entries(files)) {
        const full = join(this.dir, path);
        if (content === null) await rm(full, { force: true });
        else {
          await mkdir(dirname(full), { recursive: true });
          await writeFile(full, content);
        }
      }
      await git(this.dir, 'add', '-A');
      await git(this.dir, 'commit', '-q', '--allow-empty', '-m', message);
      try {
        await git(this.dir, 'push', '-q', this.#url, `HEAD:refs/heads/${this.#branch}`);
        return (await git(this.dir, 'rev-parse', 'HEAD')).trim();
      } catch {
        // someone pushed first: start from their tip
      }
    }
    throw new Error('could not push after 50 attempts');
  }
}
