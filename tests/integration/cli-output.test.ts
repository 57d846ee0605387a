/** Output for people: past a screenful a summary and what changed or failed; colour only on a terminal. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Terminal } from '../../src/cli/terminal.ts';
import { runCli } from '../support/cli.ts';
import { shardSpecs } from '../support/shard-specs.ts';

const repo = join(import.meta.dirname, '..', '..');
const COUNT = 60;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kaito-cli-output-'));
  const spec = await readFile(join(repo, 'gitops', 'workspaces', 'phi-3-mini.yaml'), 'utf8');
  await mkdir(join(work, 'specs'));
  for (let i = 0; i < COUNT; i++) {
    const name = `ws-${String(i).padStart(3, '0')}`;
    await writeFile(
      join(work, 'specs', `${name}.yaml`),
      spec.replace(/name: workspace-phi-3-mini/, `name: ${name}`),
    );
  }
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function withTerminal(argv: string[], terminal: Terminal) {
  let stdout = '';
  const code = await main(argv, {
    stdout: (text) => void (stdout += text),
    stderr: () => undefined,
    env: {},
    cwd: work,
    stopped: new Promise(() => {}),
    terminal,
  });
  return { code, stdout };
}

const ESC = '\u001b[';
const synth = ['synth', '--workspaces', 'specs', '--out', 'out'];

describe('a result longer than a screen', () => {
  it('lists what failed or changed while it fits, else a summary, and everything with --verbose', async () => {
    const first = await runCli(synth, work);
    expect(first.code).toBe(0);
    // More changes than a screen holds: the counts, and only what failed (nothing here).
    expect(first.stdout).not.toContain('WORKSPACE');
    expect(first.stdout).toContain(`${COUNT} workspaces not shown (--verbose lists every one)`);
    expect(first.stdout).toContain(`${COUNT} workspaces: ${COUNT} rendered`);

    const again = await runCli(synth, work);
    expect(again.stdout).not.toContain('WORKSPACE');
    expect(again.stdout).toContain(`${COUNT} workspaces not shown (--verbose lists every one)`);
    expect(again.stdout).toContain(`${COUNT} workspaces: 0 rendered, ${COUNT} unchanged`);

    const spec = join(work, 'specs', 'ws-007.yaml');
    await writeFile(
      spec,
      (await readFile(spec, 'utf8')).replace('instanceType:', 'count: two\n  instanceType:'),
    );
    const broken = await runCli(synth, work);
    expect(broken.code).toBe(1);
    const rows = broken.stdout.split('\n').filter((line) => line.startsWith('default/'));
    expect(rows).toEqual([expect.stringMatching(/^default\/ws-007 +kept /)]);
    expect(broken.stdout).toContain(`${COUNT - 1} workspaces not shown`);

    const verbose = await runCli([...synth, '--verbose'], work);
    expect(verbose.stdout.split('\n').filter((line) => line.startsWith('default/'))).toHaveLength(COUNT);
    // JSON always carries every workspace.
    const json = JSON.parse((await runCli([...synth, '-o', 'json'], work)).stdout) as {
      workspaces: unknown[];
    };
    expect(json.workspaces).toHaveLength(COUNT);
  });

  it('validate counts the valid ones instead of listing them', async () => {
    const run = await runCli(['validate', 'specs'], work);
    expect(run.stdout).not.toMatch(/^ok /m);
    expect(run.stdout).toContain(`${COUNT - 1} valid workspaces not shown`);
    expect(run.stderr).toContain('ws-007.yaml');
    const verbose = await runCli(['validate', '--verbose', 'specs'], work);
    expect(verbose.stdout.match(/^ok /gm)).toHaveLength(COUNT - 1);
  });

  it('a taller terminal shows more before it summarizes', async () => {
    const tall = await withTerminal(['validate', 'specs'], { color: false, rows: 200 });
    expect(tall.stdout.match(/^ok /gm)).toHaveLength(COUNT - 1);
  });
});

describe('shards', () => {
  it('a run that opens or retires shards says what to do, in one line each', async () => {
    await mkdir(join(work, 'many', 'default'), { recursive: true });
    const specs = shardSpecs('default', 51);
    for (const spec of specs) await writeFile(join(work, 'many', spec.path), spec.content);
    const run = (...extra: string[]) =>
      runCli(['synth', '--workspaces', 'many', '--out', 'many-out', ...extra], work);
    const first = await run();
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      "new shards default, default.1 (shards/<shard>): Argo CD's shard ApplicationSet finds them; with a Flux Kustomization per shard, run kaito-gitops init --tree again and apply its output\n",
    );
    expect((await run()).stdout).not.toMatch(/new shard|retired/);
    await rm(join(work, 'many', specs.at(-1)!.path));
    expect((await run()).stdout).not.toMatch(/new shard|retired/); // default.1 is empty, and stays
    const retired = await run('--retire-empty-shards', '-o', 'json');
    expect(JSON.parse(retired.stdout).shards).toEqual({
      opened: [],
      retired: ['default.1'],
      fluxUnits: false,
    });
    expect((await run('--retire-empty-shards')).stdout).not.toMatch(/new shard|retired/);
  });
});

describe('colour', () => {
  it('is used on a terminal that allows it, and never in piped output', async () => {
    const coloured = await withTerminal([...synth, '--verbose'], { color: true, rows: 200 });
    expect(coloured.stdout).toContain(`${ESC}31mkept`);
    const plain = await withTerminal([...synth, '--verbose'], { color: false, rows: 200 });
    expect(plain.stdout).not.toContain(ESC);
    expect((await runCli([...synth, '--verbose'], work)).stdout).not.toContain(ESC);
  });
});
