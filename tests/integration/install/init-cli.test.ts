/** `kaito-gitops init` computes the Flux timeout from the specs, or takes it from the flag. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runCli } from '../../support/cli.ts';

const repo = join(import.meta.dirname, '../../..');
let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'init-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

const base = [
  'init',
  '--repo',
  'https://git.example/deploy.git',
  '--branch',
  'deploy',
  '--path',
  'clusters/prod',
  '--flux',
];
const timeout = async (dir: string): Promise<string> =>
  (
    parse(await readFile(join(dir, 'flux', 'flux-kustomization.yaml'), 'utf8')) as {
      spec: { timeout: string };
    }
  ).spec.timeout;

it('covers the slowest Workspace of gitops/workspaces and says which', async () => {
  const run = await runCli([...base, '--out', join(out, 'a')], repo);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(
    'flux timeout 1h15m: default/workspace-llama-3-3-70b-instruct may take 55 min to start, plus 20 min for a GPU node and the image',
  );
  expect(await timeout(join(out, 'a'))).toBe('1h15m');
});

it('takes --flux-timeout as given, and refuses one that is not a duration', async () => {
  expect((await runCli([...base, '--out', join(out, 'b'), '--flux-timeout', '3h'], repo)).code).toBe(0);
  expect(await timeout(join(out, 'b'))).toBe('3h');
  const bad = await runCli([...base, '--out', join(out, 'c'), '--flux-timeout', 'soon'], repo);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--flux-timeout must be a duration');
});

it('falls back to 30m without specs, and names a --workspaces that does not exist', async () => {
  const run = await runCli([...base, '--out', join(out, 'd')], out);
  expect(run.stdout).toContain('flux timeout 30m: no specs at gitops/workspaces: the minimum');
  const missing = await runCli([...base, '--out', join(out, 'e'), '--workspaces', 'nowhere'], out);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('nowhere: no such file or directory');
});

it('writes one Flux Kustomization per shard of the rendered tree (--tree, else --path here)', async () => {
  const rendered = join(out, 'checkout');
  expect((await runCli(['synth', '--workspaces', 'gitops/workspaces', '--out', rendered], repo)).code).toBe(
    0,
  );
  const run = await runCli([...base, '--out', join(out, 'f'), '--tree', rendered], repo);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(
    'flux: 1 shard, one Kustomization each; run init --tree again when a sync opens a shard',
  );
  const flux = parse(await readFile(join(out, 'f', 'flux', 'flux-kustomization.yaml'), 'utf8')) as {
    metadata: { name: string };
    spec: { path: string };
  };
  expect(flux.metadata.name).toBe('kaito-workspaces-default');
  expect(flux.spec.path).toBe('./clusters/prod/shards/default');
  // --path clusters/prod is looked for in the working directory: not there, so one unit for the path.
  const none = await runCli([...base, '--out', join(out, 'g')], out);
  expect(none.stdout).toContain('no rendered tree at clusters/prod: one Kustomization for the whole path');
  const missing = await runCli([...base, '--out', join(out, 'h'), '--tree', 'nowhere'], out);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('--tree nowhere: no rendered tree there');
});

it('writes one root Flux Kustomization over flux-units/ when the tree has them, or with --flux-units', async () => {
  const rendered = join(out, 'units');
  const synth = ['synth', '--workspaces', 'gitops/workspaces', '--out', rendered, '--flux-units'];
  expect((await runCli(synth, repo)).code).toBe(0);
  for (const [dir, args] of [
    ['i', ['--tree', rendered]],
    ['j', ['--flux-units']],
  ] as const) {
    const run = await runCli([...base, '--out', join(out, dir), ...args], out);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('flux: one root Kustomization applies flux-units/ of the tree');
    const root = parse(await readFile(join(out, dir, 'flux', 'flux-kustomization.yaml'), 'utf8')) as {
      metadata: { name: string };
      spec: { path: string };
    };
    expect([root.metadata.name, root.spec.path]).toEqual(['kaito-shards', './clusters/prod/flux-units']);
    expect(await readFile(join(out, dir, 'flux', 'sync-server.yaml'), 'utf8')).toContain('"--flux-units"');
  }
});

it('with --report, the sync server writes pull-request comments with the report Secret; a bad provider is refused', async () => {
  const args = ['--report', 'github', '--report-api-url', 'https://ghe.example/api/v3'];
  expect((await runCli([...base, '--out', join(out, 'r'), ...args], repo)).code).toBe(0);
  const objects = parseAllDocuments(await readFile(join(out, 'r', 'flux', 'sync-server.yaml'), 'utf8')).map(
    (d) => d.toJS() as { kind: string; spec: { template: { spec: { containers: Container[] } } } },
  );
  const container = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0]!;
  expect(container.args.join(' ')).toContain('--report github --report-api-url https://ghe.example/api/v3');
  expect(container.envFrom).toEqual([{ secretRef: { name: 'kaito-gitops-report', optional: true } }]);

  expect((await runCli([...base, '--out', join(out, 's')], repo)).code).toBe(0);
  const plain = await readFile(join(out, 's', 'flux', 'sync-server.yaml'), 'utf8');
  expect([plain.includes('--report'), plain.includes('envFrom')]).toEqual([false, false]);

  for (const [flags, message] of [
    [['--report', 'bitbucket'], '--report must be github or gitlab, not "bitbucket"'],
    [['--report-api-url', 'https://ghe.example/api/v3'], '--report-api-url needs --report github|gitlab'],
  ] as const) {
    const bad = await runCli([...base, '--out', join(out, 't'), ...flags], repo);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, `kaito-gitops init: ${message}`]);
  }
});

interface Container {
  args: string[];
  envFrom?: unknown[];
}
