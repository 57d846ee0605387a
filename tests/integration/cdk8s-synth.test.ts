import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readTree } from '../../src/render/index.ts';
import { runCli } from '../support/cli.ts';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kaito-cdk8s-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

it('`npx cdk8s synth` (cdk8s.yaml) renders the same tree as `kaito-gitops synth`', async () => {
  const viaCdk8s = join(work, 'cdk8s');
  await run('npx', ['cdk8s', 'synth', '--output', viaCdk8s], { cwd: repo });
  const viaCli = join(work, 'cli');
  expect((await runCli(['synth', '--out', viaCli], repo)).code).toBe(0);
  const [a, b] = await Promise.all([readTree(viaCdk8s), readTree(viaCli)]);
  expect(a.tree.size).toBeGreaterThan(10);
  expect([...a.tree]).toEqual([...b.tree]);
});
