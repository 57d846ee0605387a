/**
 * The in-pod mode of `adapter push`, as the tuning Job's output container runs it: wait for Kaito's
 * completion file, push, and leave the result in the termination message; give up when the trainer is
 * gone without the file; a failed push leaves the registry's reason there and exits 3.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alone, waitForFile } from '../../../src/cli/adapter-in-pod.ts';
import { runCli } from '../../support/cli.ts';
import { fineTuningOutput, type AdapterFixture } from '../../support/oci-layout.ts';
import { startRegistry, type TestRegistry } from '../../support/registry.ts';

let registry: TestRegistry;
let work: string;
let adapter: AdapterFixture;

beforeAll(async () => {
  registry = await startRegistry({ users: { pusher: 'push-secret-1' } });
  work = await mkdtemp(join(tmpdir(), 'kaito-oci-pod-'));
  adapter = await fineTuningOutput(join(work, 'results'), 50_000);
  await rm(join(adapter.dir, 'fine_tuning_completed.txt'));
  // The imagePushSecret as the pod mounts it: a directory with .dockerconfigjson.
  await mkdir(join(work, 'push-secret'));
  const auth = Buffer.from('pusher:push-secret-1').toString('base64');
  await writeFile(
    join(work, 'push-secret', '.dockerconfigjson'),
    JSON.stringify({ auths: { [registry.host]: { auth } } }),
  );
});

afterAll(async () => {
  await registry?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const podArgs = (image: string, termination: string) => [
  'adapter',
  'push',
  adapter.dir,
  image,
  '--plain-http',
  '--registry-config',
  join(work, 'push-secret'),
  '--model',
  'phi-3-mini-4k-instruct',
  '--wait-for',
  'fine_tuning_completed.txt',
  '--fail-when-alone',
  '--poll',
  '50ms',
  '--termination-message',
  termination,
];

describe('adapter push in the tuning pod', () => {
  it('waits for fine_tuning_completed.txt, pushes, and writes image@digest as the termination message', async () => {
    const termination = join(work, 'termination-log');
    const image = `${registry.host}/tuned/phi-3:0.0.1`;
    const pushing = runCli(podArgs(image, termination), work);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeFile(join(adapter.dir, 'fine_tuning_completed.txt'), 'done');
    const { code, stdout, stderr } = await pushing;
    expect(stderr).toBe(`waiting for ${join(adapter.dir, 'fine_tuning_completed.txt')}\n`);
    expect(code).toBe(0);
    const message = await readFile(termination, 'utf8');
    expect(message).toMatch(new RegExp(`^${image.replace(/[.]/g, '\\.')}@sha256:[0-9a-f]{64}$`));
    expect(stdout).toContain(`pushed ${message}\n`);
  });

  it('leaves the registry’s reason in the termination message when the push fails', async () => {
    const termination = join(work, 'termination-denied');
    await writeFile(
      join(work, 'push-secret', '.dockerconfigjson'),
      JSON.stringify({ auths: { [registry.host]: { username: 'pusher', password: 'wrong' } } }),
    );
    const { code, stderr } = await runCli(podArgs(`${registry.host}/tuned/phi-3:0.0.2`, termination), work);
    expect(code).toBe(3);
    const reason = `${registry.host}/tuned/phi-3: get manifest 0.0.2: 401 UNAUTHORIZED: authentication required`;
    expect(await readFile(termination, 'utf8')).toBe(reason);
    expect(stderr.trim().split('\n').at(-1)).toBe(`kaito-gitops adapter: ${reason}`);
  });
});

describe('waiting beside the trainer', () => {
  async function fakeProc(processes: Record<string, string>, self: string): Promise<string> {
    const root = await mkdtemp(join(work, 'proc-'));
    for (const [pid, comm] of Object.entries(processes)) {
      await mkdir(join(root, pid));
      await writeFile(join(root, pid, 'comm'), `${comm}\n`);
    }
    await symlink(self, join(root, 'self'));
    return root;
  }

  it('counts only processes other than itself and the pause process', async () => {
    expect(await alone(await fakeProc({ '1': 'pause', '42': 'node' }, '42'))).toBe(true);
    expect(await alone(await fakeProc({ '1': 'pause', '7': 'python', '42': 'node' }, '42'))).toBe(false);
    // No pause container (some runtimes): the trainer may be PID 1 itself.
    expect(await alone(await fakeProc({ '1': 'accelerate', '42': 'node' }, '42'))).toBe(false);
  });

  it('gives up once the trainer is gone without the file, and succeeds when it wrote it first', async () => {
    const proc = await fakeProc({ '1': 'pause', '7': 'python', '42': 'node' }, '42');
    const file = join(work, 'never-written');
    const waiting = waitForFile({
      file,
      pollMs: 20,
      failWhenAlone: true,
      procRoot: proc,
      stopped: new Promise(() => {}),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await rm(join(proc, '7'), { recursive: true });
    expect(await waiting).toEqual({ kind: 'alone' });

    await writeFile(file, 'done');
    expect(
      await waitForFile({
        file,
        pollMs: 20,
        failWhenAlone: true,
        procRoot: proc,
        stopped: new Promise(() => {}),
      }),
    ).toEqual({ kind: 'ready' });
  });
});
