import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';

const repo = join(import.meta.dirname, '..', '..', '..');

describe('kaito-gitops main', () => {
  it('--help lists every command with its summary', async () => {
    const run = await runCli(['--help'], repo);
    expect(run.code).toBe(0);
    for (const name of [
      'adapter',
      'agent',
      'demo',
      'import',
      'init',
      'plan',
      'presets',
      'report',
      'sync',
      'synth',
      'validate',
    ])
      expect(run.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const run = await runCli([flag], repo);
      expect(run).toEqual({ code: 0, stdout: `kaito-gitops ${version}\n`, stderr: '' });
    }
  });

  it('help <command> prints the summary and the flags of that command', async () => {
    const run = await runCli(['help', 'validate'], repo);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Check Workspace specs/);
    expect(run.stdout).toContain('usage: kaito-gitops validate');
    expect(await runCli(['validate', '--help'], repo)).toEqual(run);
  });

  it.each([
    [['synht'], /unknown command "synht"; did you mean "synth"\?/],
    [['help', 'plna'], /unknown command "plna"; did you mean "plan"\?/],
    [['zzz'], /unknown command "zzz"\n/],
  ])('%j is a usage error that suggests the closest command', async (argv, message) => {
    const run = await runCli(argv, repo);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('usage: kaito-gitops <command>');
  });

  it('an unknown flag names the closest known one, and short flags still work', async () => {
    const typo = await runCli(['presets', '--sku'], repo);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown flag --sku; did you mean --skus\?/);
    const short = await runCli(['presets', '-o', 'json'], repo);
    expect(short.code).toBe(0);
    expect(() => JSON.parse(short.stdout) as unknown).not.toThrow();
  });
});

it('ends the process only after a slow pipe has taken all of its output', async () => {
  const { spawn } = await import('node:child_process');
  const script = `
    const { exitWhenFlushed } = await import(${JSON.stringify(new URL('../../../src/cli/main.ts', import.meta.url).href)});
    process.stdout.write('x'.repeat(4_000_000));
    await exitWhenFlushed();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
  let bytes = 0;
  child.stdout.pause(); // a reader that is late: the child must wait for it, not exit with output pending
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
  child.stdout.resume();
  await new Promise((resolve) => child.once('close', resolve));
  expect(bytes).toBe(4_000_000);
});
