/**
 * The README's guarantees, through `kaito-gitops synth` as a user runs it: a broken file never removes
 * what it produced, an empty source removes nothing, files kaito-gitops did not write survive, a write
 * failure changes nothing, and environment errors and signals end the command in one line.
 */
import { execFile, spawn } from 'node:child_process';
import {
  cp,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { readTree } from '../../src/render/index.ts';
import { BREAKAGES } from '../support/broken-files.ts';
import { runCli } from '../support/cli.ts';
import { makeReadOnly } from '../support/read-only.ts';
import { snapshot } from '../support/snapshot.ts';

const repo = join(import.meta.dirname, '..', '..');
const entry = join(repo, 'src', 'cli', 'main.ts');
const PHI = 'workspace-phi-3-mini';
let work: string;
let specs: string;
let out: string;

const synth = (...extra: string[]) =>
  runCli(['synth', '--workspaces', 'specs', '--out', 'out', ...extra], work);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kaito-synth-safety-'));
  specs = join(work, 'specs');
  out = join(work, 'out');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});
beforeEach(async () => {
  await rm(specs, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
  await cp(join(repo, 'gitops', 'workspaces'), specs, { recursive: true });
  expect((await synth()).code).toBe(0);
});

describe('synth: a broken file keeps what it produced, byte for byte', () => {
  it.each(BREAKAGES)('%s', async (_, breakIt) => {
    const before = await snapshot(out);
    const file = join(specs, 'phi-3-mini.yaml');
    await writeFile(file, breakIt(await readFile(file, 'utf8'), PHI));
    const run = await synth();
    expect(run.code).toBe(1);
    expect(await snapshot(out)).toEqual(before);
    expect(run.stdout).toMatch(new RegExp(`default/${PHI}\\s+kept`));
    expect(run.stdout).toContain('3 unchanged, 1 kept, 0 refused, 0 removed; 0 files written, 0 removed');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^specs\/phi-3-mini\.yaml(:\d+:\d+)?: /);
  });

  it('a spec file replaced by a symbolic link keeps what it produced', async () => {
    const before = await snapshot(out);
    const outside = join(work, 'outside.yaml');
    await writeFile(outside, await readFile(join(specs, 'phi-3-mini.yaml'), 'utf8'));
    await rm(join(specs, 'phi-3-mini.yaml'));
    await symlink(outside, join(specs, 'phi-3-mini.yaml'));
    const run = await synth();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^specs\/phi-3-mini\.yaml: is a symbolic link; /);
    expect(await snapshot(out)).toEqual(before);
  });

  it('reads .YAML like .yaml: renaming the file keeps the workspace', async () => {
    await rename(join(specs, 'phi-3-mini.yaml'), join(specs, 'PHI-3-MINI.YAML'));
    const run = await synth();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`default/${PHI}\\s+unchanged\\s.*specs/PHI-3-MINI\\.YAML`));
  });

  it('removes the output of a deleted file, and only then', async () => {
    await rm(join(specs, 'phi-3-mini.yaml'));
    const run = await synth();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`default/${PHI}\\s+removed`));
    expect((await snapshot(out)).some(([path]) => path.includes(PHI + '/'))).toBe(false);
  });

  it('--output json names file, document, namespace, name, line and column', async () => {
    const file = join(specs, 'phi-3-mini.yaml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('Standard_NC6s_v3', 'Standard_NC6s_v3\n  count: two'),
    );
    const run = await synth('--output', 'json');
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as { errors: unknown[] };
    expect(result.errors).toEqual([
      {
        file: 'specs/phi-3-mini.yaml',
        document: 1,
        kind: 'Workspace',
        namespace: 'default',
        name: PHI,
        problems: [
          {
            path: 'resource.count',
            message: expect.stringMatching(/must be an integer/),
            line: 9,
            column: 3,
          },
        ],
      },
    ]);
  });
});

describe('synth: an empty source', () => {
  it('removes nothing and exits 1 naming --allow-empty; --allow-empty removes everything', async () => {
    await mkdir(join(work, 'empty'), { recursive: true });
    const before = await snapshot(out);
    const refused = await runCli(['synth', '--workspaces', 'empty', '--out', 'out'], work);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^empty: holds no Workspace, .*--allow-empty$/m);
    expect(await snapshot(out)).toEqual(before);
    const allowed = await runCli(['synth', '--workspaces', 'empty', '--out', 'out', '--allow-empty'], work);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('4 removed');
    expect(readTree(out).inventory?.workspaces).toEqual([]);
  });
});

describe('synth: files it did not write', () => {
  it('survive ten runs, edits and removals included', async () => {
    const mine: [string, string][] = [
      ['README.md', '# my notes\n'],
      ['flux-system/gotk-sync.yaml', 'kind: Kustomization\n'],
      [`workspaces/default/${PHI}/patch.yaml`, 'extra: patch\n'],
    ];
    for (const [path, text] of mine) {
      await mkdir(join(out, path, '..'), { recursive: true });
      await writeFile(join(out, path), text);
    }
    const phi = join(specs, 'phi-3-mini.yaml');
    const good = await readFile(phi, 'utf8');
    for (let i = 0; i < 10; i++) {
      if (i % 3 === 0) await writeFile(phi, good.replace('apps: phi-3', `apps: phi-3-v${i}`));
      else if (i % 3 === 1) await rm(phi);
      else await writeFile(phi, good);
      expect((await synth()).code).toBe(0);
    }
    for (const [path, text] of mine) expect(await readFile(join(out, path), 'utf8')).toBe(text);
  });
});

describe('synth: a write failure', () => {
  it('leaves the previous tree and inventory as they were, exit 3 in one line', async () => {
    const before = await snapshot(out);
    const phi = join(specs, 'phi-3-mini.yaml');
    await writeFile(phi, (await readFile(phi, 'utf8')).replace('apps: phi-3', 'apps: phi-3-v2'));
    const llama = join(specs, 'llama-3.3-70b.yaml');
    await writeFile(llama, (await readFile(llama, 'utf8')).replace(/apps: (\S+)/, 'apps: $1-v2'));
    const undo = await makeReadOnly(join(out, 'workspaces', 'default', PHI));
    let run;
    try {
      run = await synth();
    } finally {
      await undo();
    }
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      new RegExp(
        `^kaito-gitops synth: cannot write out/workspaces/default/${PHI}/.*; nothing in out was changed\\n$`,
      ),
    );
    expect(await snapshot(out)).toEqual(before);
  });
});

describe('synth: stopping', () => {
  it.each([
    ['synth', '--workspaces', 'specs', '--out', 'out'],
    ['validate', 'specs'],
    ['plan', 'specs/phi-3-mini.yaml'],
  ])('%s stops before writing when a signal has arrived, exit 130', async (...argv) => {
    await rm(out, { recursive: true, force: true });
    let stderr = '';
    const code = await main(argv, {
      stdout: () => {},
      stderr: (text) => void (stderr += text),
      env: {},
      cwd: work,
      stopped: Promise.resolve(),
    });
    expect(code).toBe(130);
    expect(stderr).toBe(`kaito-gitops ${argv[0]}: stopped by a signal; nothing was written\n`);
    expect(await snapshot(out)).toEqual([]);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'a real process stops on the first %s while it reads specs, and writes nothing',
    async (signal) => {
      const many = join(work, `many-${signal}`);
      await mkdir(many, { recursive: true });
      const phi = await readFile(join(specs, 'phi-3-mini.yaml'), 'utf8');
      for (let i = 0; i < 600; i++)
        await writeFile(join(many, `ws-${i}.yaml`), phi.replaceAll(PHI, `ws-${i}`));
      const target = join(work, `many-out-${signal}`);
      const child = spawn(process.execPath, [entry, 'synth', '--workspaces', many, '--out', target], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      // Send the signal once the process handles it (a real user's Ctrl-C can come at any moment after
      // that), preferably while it reads the specs: either way it lands before anything is written.
      const pid = child.pid ?? 0;
      await until(() => catches(pid, signal));
      await until(() => opensFileUnder(pid, many), 2_000).catch(() => {});
      const sent = Date.now();
      child.kill(signal);
      const code = await exited;
      expect(Date.now() - sent).toBeLessThan(5000);
      expect(code).toBe(130);
      expect(stderr).toBe('kaito-gitops synth: stopped by a signal; nothing was written\n');
      expect(await snapshot(target)).toEqual([]);
    },
  );
});

/** True when process `pid` has a handler installed for `signal` (Linux /proc: the SigCgt mask). */
async function catches(pid: number, signal: 'SIGINT' | 'SIGTERM'): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (mask === undefined) return false;
  const bit = BigInt(osConstants.signals[signal] - 1);
  return ((BigInt(`0x${mask}`) >> bit) & 1n) === 1n;
}

/** True when process `pid` has a file under `dir` open (Linux /proc). */
async function opensFileUnder(pid: number, dir: string): Promise<boolean> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (target.startsWith(dir + '/')) return true;
  }
  return false;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the process');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('environment errors: one line, exit 2 or 3, never a stack trace', () => {
  const exec = promisify(execFile);
  const runProcess = async (args: string[], env: Record<string, string> = {}) => {
    try {
      const { stdout, stderr } = await exec(process.execPath, [entry, ...args], {
        cwd: work,
        env: { PATH: process.env['PATH'] ?? '', ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  it.each<[string, () => Promise<string[]>, number, RegExp, Record<string, string>?]>([
    [
      '--out is a file',
      async () => {
        await writeFile(join(work, 'a-file'), 'x');
        return ['synth', '--workspaces', 'specs', '--out', 'a-file'];
      },
      2,
      /^kaito-gitops synth: --out a-file is a file; name a directory/,
    ],
    [
      '--workspaces does not exist',
      () => Promise.resolve(['synth', '--workspaces', 'nowhere', '--out', 'out']),
      2,
      /^kaito-gitops synth: nowhere: no such file or directory/,
    ],
    [
      'agent without a kubeconfig',
      () =>
        Promise.resolve(['agent', '--provisioner', 'byo', '--kubeconfig', join(work, 'missing-kubeconfig')]),
      2,
      /^kaito-gitops agent: cannot read the kubeconfig .*missing-kubeconfig: /,
    ],
    [
      'agent with a broken kubeconfig',
      async () => {
        await writeFile(join(work, 'bad-kubeconfig'), 'clusters: [\n');
        return ['agent', '--provisioner', 'byo', '--kubeconfig', join(work, 'bad-kubeconfig')];
      },
      2,
      /^kaito-gitops agent: cannot read the kubeconfig .*bad-kubeconfig: /,
    ],
    [
      'demo --dir reused',
      async () => {
        await mkdir(join(work, 'demo-dir'), { recursive: true });
        await writeFile(join(work, 'demo-dir', 'something'), 'x');
        return ['demo', '--dir', 'demo-dir'];
      },
      2,
      /^kaito-gitops demo: --dir demo-dir is not empty/,
    ],
    [
      'sync with a password (holding a space) in --source',
      () => Promise.resolve(['sync', '--source', 'https://bot:pa ss@git.example/m.git', '--once']),
      2,
      /^kaito-gitops sync: --source must not carry credentials/,
    ],
  ])('%s', async (_, setup, code, message, env) => {
    const run = await runProcess(await setup(), env);
    expect(run.stderr + run.stdout).not.toContain('pa ss');
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('an output directory that cannot be written: exit 3, nothing changed', async () => {
    const before = await snapshot(out);
    const undo = await makeReadOnly(join(out, 'workspaces', 'default', PHI));
    let run;
    try {
      const phi = join(specs, 'phi-3-mini.yaml');
      await writeFile(phi, (await readFile(phi, 'utf8')).replace('apps: phi-3', 'apps: phi-3-v3'));
      run = await runProcess(['synth', '--workspaces', 'specs', '--out', 'out']);
    } finally {
      await undo();
    }
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^kaito-gitops synth: cannot write out\/.*; nothing in out was changed\n$/);
    expect(await snapshot(out)).toEqual(before);
  });
});
