/**
 * What `adapter push` does when it runs beside the trainer in Kaito's tuning pod:
 *
 * - wait for the trainer's completion file (`--wait-for fine_tuning_completed.txt`) before pushing;
 * - with `--fail-when-alone`, give up when the trainer is gone without writing it. The pod shares one
 *   process namespace (`shareProcessNamespace: true`), so the pusher sees the trainer's processes; when
 *   none is left but itself and the pod's pause process, training ended without success, and waiting on
 *   would hold the GPU node forever;
 * - write the result to the Kubernetes termination message (`--termination-message`): the pushed
 *   `image@sha256:...` on success, the registry's reason on failure, which the agent copies into the
 *   Workspace status.
 */
import { access, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Kubernetes keeps at most 4096 bytes of a termination message. */
const TERMINATION_LIMIT = 4096;

export type WaitOutcome = { kind: 'ready' } | { kind: 'alone' } | { kind: 'stopped' };

export interface WaitOptions {
  file: string;
  pollMs: number;
  failWhenAlone: boolean;
  /** Where the process table is (a test points it at a directory it made). @default "/proc" */
  procRoot?: string;
  stopped: Promise<void>;
}

/**
 * True when no process but this one and the pod's pause process exists in the process namespace.
 * `<procRoot>/self` names this process as the namespace numbers it.
 */
export async function alone(procRoot: string): Promise<boolean> {
  const self = await readlink(join(procRoot, 'self'));
  const pids = (await readdir(procRoot)).filter((name) => /^\d+$/.test(name) && name !== self);
  for (const pid of pids) {
    const comm = await readFile(join(procRoot, pid, 'comm'), 'utf8').catch(() => undefined);
    // Gone between readdir and read, or the pod sandbox's pause process: not a trainer.
    if (comm === undefined || comm.trim() === 'pause') continue;
    return false;
  }
  return true;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function waitForFile(options: WaitOptions): Promise<WaitOutcome> {
  let stopped = false;
  void options.stopped.then(() => (stopped = true));
  for (;;) {
    if (await exists(options.file)) return { kind: 'ready' };
    // Checked after the file: a trainer that wrote it and exited is a success, not "alone".
    if (options.failWhenAlone && (await alone(options.procRoot ?? '/proc'))) {
      return (await exists(options.file)) ? { kind: 'ready' } : { kind: 'alone' };
    }
    const tick = new Promise<void>((resolve) => setTimeout(resolve, options.pollMs));
    await Promise.race([tick, options.stopped]);
    if (stopped) return { kind: 'stopped' };
  }
}

/** Writes a termination message, cut to what Kubernetes keeps. */
export async function writeTerminationMessage(path: string, message: string): Promise<void> {
  const bytes = Buffer.from(message);
  await writeFile(path, bytes.length <= TERMINATION_LIMIT ? bytes : bytes.subarray(0, TERMINATION_LIMIT));
}
