/**
 * Debian packages the tests run (e.g. `lua5.1` for Argo CD health scripts): found on PATH, else installed
 * with apt-get (these machines run as root; `apt-get update` first, and a lock timeout because several
 * people share a machine), else the test fails naming the package. Never skipped silently.
 */
import { execFileSync } from 'node:child_process';

const installed = new Map<string, string>();

function which(binary: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The path of `binary`, installing the Debian package `pkg` when it is missing. Throws naming `pkg`. */
export function requireDebianPackage(binary: string, pkg: string): string {
  const known = installed.get(binary) ?? which(binary);
  if (known !== undefined) {
    installed.set(binary, known);
    return known;
  }
  const apt = (args: string[]): void => {
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
      stdio: 'pipe',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 900_000,
    });
  };
  try {
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', pkg]);
  } catch (error) {
    throw new Error(
      `the tests need the Debian package ${pkg} (for ${binary}) and could not install it: ` +
        `run \`apt-get install ${pkg}\` as root (${(error as Error).message.split('\n')[0]})`,
      { cause: error },
    );
  }
  const path = which(binary);
  if (path === undefined) throw new Error(`installed the Debian package ${pkg} but ${binary} is not on PATH`);
  installed.set(binary, path);
  return path;
}
