/**
 * A directory nothing can be written into, for tests of write failures. Permission bits do not stop
 * root (these machines run tests as root), so for root the directory is made immutable with `chattr +i`
 * (e2fsprogs); anyone else gets mode 0555. The returned function undoes it; call it in `finally`.
 */
import { execFile } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function makeReadOnly(dir: string): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) {
    await chmod(dir, 0o555);
    return () => chmod(dir, 0o755);
  }
  try {
    await run('chattr', ['+i', dir]);
  } catch (error) {
    throw new Error(
      `cannot make ${dir} read-only for root: "chattr +i" failed (${(error as Error).message}); install the Debian package e2fsprogs, on a file system that supports it`,
      { cause: error },
    );
  }
  return async () => {
    await run('chattr', ['-i', dir]);
  };
}
