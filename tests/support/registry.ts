/**
 * A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) on 127.0.0.1 with its own
 * config in a temp directory, plain, with htpasswd basic auth, or with token auth against the bearer
 * token server in registry-token-server.ts. `skopeo` cross-checks what the product pushes and pushes
 * what the tests build by hand.
 *
 * The Debian packages (docker-registry, skopeo, apache2-utils for htpasswd) are installed when missing
 * (debian-package.ts); nothing is skipped.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTool } from './debian-package.ts';

const run = promisify(execFile);

/** Makes sure docker-registry, skopeo and htpasswd are there, installing their packages if needed. */
export async function requireRegistryTools(): Promise<void> {
  for (const binary of ['docker-registry', 'skopeo', 'htpasswd']) await requireTool(binary);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  certPem: string;
}

export interface RegistryOptions {
  /** htpasswd users (basic auth). */
  users?: Record<string, string>;
  /** Token auth (bearer), against a running token server. */
  token?: TokenAuthConfig;
}

export interface TestRegistry {
  /** `127.0.0.1:<port>`, the registry part of image references. */
  host: string;
  root: string;
  close(): Promise<void>;
}

/** Starts `docker-registry serve` with a config of its own and waits until `/v2/` answers. */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  await requireRegistryTools();
  const root = await mkdtemp(join(tmpdir(), 'kaito-registry-'));
  await mkdir(join(root, 'data'));
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log: {level: error, accesslog: {disabled: true}}',
    `storage: {filesystem: {rootdirectory: ${join(root, 'data')}}, delete: {enabled: true}}`,
    `http: {addr: "127.0.0.1:${port}", secret: test-secret}`,
  ];
  if (options.users !== undefined) {
    const htpasswd = join(root, 'htpasswd');
    const entries: string[] = [];
    for (const [user, password] of Object.entries(options.users)) {
      const { stdout } = await run('htpasswd', ['-Bbn', user, password]);
      entries.push(stdout.trim());
    }
    await writeFile(htpasswd, entries.join('\n') + '\n');
    lines.push(`auth: {htpasswd: {realm: basic-realm, path: ${htpasswd}}}`);
  } else if (options.token !== undefined) {
    const bundle = join(root, 'token.crt');
    await writeFile(bundle, options.token.certPem);
    lines.push(
      `auth: {token: {realm: "${options.token.realm}", service: ${options.token.service}, issuer: ${options.token.issuer}, rootcertbundle: ${bundle}}}`,
    );
  }
  const config = join(root, 'config.yml');
  await writeFile(config, lines.join('\n') + '\n');
  const child: ChildProcess = spawn('docker-registry', ['serve', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`http://${host}/v2/`);
      if (res.status === 200 || res.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`docker-registry did not answer on ${host}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    host,
    root,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill();
        await exited;
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Runs skopeo (async: the test process may host servers that must keep answering). */
export async function skopeo(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('skopeo', args, { maxBuffer: 64 << 20 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`skopeo ${args.join(' ')} failed: ${stderr.trim() || (error as Error).message}`, {
      cause: error,
    });
  }
}
