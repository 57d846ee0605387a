/**
 * The Debian packages the tests and benchmarks run (docker-registry, skopeo and htpasswd for the OCI
 * registry, lua5.1 for Argo CD health scripts): found on PATH, else installed with apt-get (these
 * machines run as root; `apt-get update` first, and a lock timeout because several people may share a
 * machine), else a failure naming the package. Never skipped silently.
 *
 * The test suite installs them all once, before any test file runs (vitest `globalSetup`), so that
 * parallel test files never race two apt-get runs; each user checks again with {@link requireTool}.
 */
import { execFile } from 'node:child_process';
import { accessSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Binary → the Debian package that provides it. */
export const TEST_TOOLS: Readonly<Record<string, string>> = {
  'docker-registry': 'docker-registry',
  skopeo: 'skopeo',
  htpasswd: 'apache2-utils',
  'lua5.1': 'lua5.1',
};

function which(binary: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, binary);
    try {
      accessSync(path);
      return path;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Installs the packages of the binaries (binary → package) missing from PATH: one `apt-get update`, one
 * `apt-get install` as root; without root, or when apt-get fails, throws naming the packages.
 */
export async function ensureDebianTools(tools: Readonly<Record<string, string>> = TEST_TOOLS): Promise<void> {
  const missing: string[] = [];
  for (const [binary, pkg] of Object.entries(tools)) if (which(binary) === undefined) missing.push(pkg);
  if (missing.length === 0) return;
  const install = `apt-get install ${[...new Set(missing)].join(' ')}`;
  if (process.getuid?.() !== 0) throw new Error(`the tests need Debian packages: run \`${install}\` as root`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = ['-o', 'DPkg::Lock::Timeout=600'];
  try {
    await run('apt-get', [...apt, 'update'], { env, maxBuffer: 64 << 20 });
    await run('apt-get', [...apt, 'install', '-y', '--no-install-recommends', ...new Set(missing)], {
      env,
      maxBuffer: 64 << 20,
    });
  } catch (error) {
    const why = (error as Error).message.split('\n')[0];
    throw new Error(`the tests need Debian packages and \`${install}\` failed: ${why}`, { cause: error });
  }
  for (const [binary, pkg] of Object.entries(tools)) {
    if (which(binary) === undefined) throw new Error(`${binary} still missing after apt-get install ${pkg}`);
  }
}

/** The path of `binary`, installing its package when missing (the global setup normally has). */
export async function requireTool(binary: string): Promise<string> {
  await ensureDebianTools({ [binary]: TEST_TOOLS[binary] ?? binary });
  return toolPath(binary);
}

/** The path of `binary`, or a failure naming its package (for synchronous callers, after the setup). */
export function toolPath(binary: string): string {
  const path = which(binary);
  if (path === undefined)
    throw new Error(`${binary} is missing: apt-get install ${TEST_TOOLS[binary] ?? binary}`);
  return path;
}
