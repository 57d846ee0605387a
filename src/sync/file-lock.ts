/**
 * A lock file beside each mirror, so that processes sharing a cache directory (several `sync --once`
 * runs from cron, CI jobs on one runner) never use one mirror at once: isomorphic-git is not safe for
 * that, and a second writer corrupts packs and refs. `<gitdir>.lock` is created exclusively and holds
 * its owner's host and pid; a lock whose owner on this host has exited is taken over, so a killed
 * process never blocks the next one. The in-process order is `KeyedLock`'s; this adds the processes.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { EnvironmentError, InterruptedError, errnoCode } from '../errors.ts';

export interface FileLockOptions {
  /** Give up after waiting this long for another process. @default 600000 (10 minutes) */
  timeoutMs?: number;
  /** Stop waiting when this aborts (the process was asked to stop). */
  signal?: AbortSignal;
}

interface Owner {
  host: string;
  pid: number;
  since: string;
}

/** Runs `task` holding every lock of `paths` (taken in sorted order, so two holders never deadlock). */
export async function withFileLocks<T>(
  paths: readonly string[],
  task: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const sorted = [...new Set(paths)].sort();
  const held: string[] = [];
  try {
    for (const path of sorted) {
      await acquire(path, options);
      held.push(path);
    }
    return await task();
  } finally {
    for (const path of held.reverse()) await unlink(path).catch(() => undefined);
  }
}

async function acquire(path: string, options: FileLockOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
    if (options.signal?.aborted)
      throw new InterruptedError('stopped by a signal while waiting for the clone cache');
    try {
      const handle = await open(path, 'wx');
      const owner: Owner = { host: hostname(), pid: process.pid, since: new Date().toISOString() };
      await handle.writeFile(JSON.stringify(owner));
      await handle.close();
      return;
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') {
        throw new EnvironmentError(`cannot create the lock file ${path}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    const owner = await ownerOf(path);
    if (owner === undefined || (owner.host === hostname() && !alive(owner.pid))) {
      // Its owner exited without unlocking (or was writing it just now: then its open will fail and
      // it waits in turn). Remove it and try again at once.
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new EnvironmentError(
        `the clone cache is locked by process ${owner.pid} on ${owner.host} since ${owner.since} (${path}); wait for it, or remove the lock file if that process is gone`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait));
  }
}

/** A lock file that is empty or unreadable for this long was left by a process that died writing it. */
const UNWRITTEN_MS = 10_000;

/**
 * The lock's owner; a placeholder owner (someone else, wait) while the file is gone or being written;
 * undefined when the file is a leftover nobody owns.
 */
async function ownerOf(path: string): Promise<Owner | undefined> {
  const someone: Owner = { host: '', pid: 0, since: 'just now' };
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as Partial<Owner>;
    if (typeof owner.host === 'string' && typeof owner.pid === 'number' && typeof owner.since === 'string')
      return owner as Owner;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return someone;
  }
  const age = await stat(path).then(
    (info) => Date.now() - info.mtimeMs,
    () => 0,
  );
  return age > UNWRITTEN_MS ? undefined : someone;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}
