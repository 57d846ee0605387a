import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../support/cli.ts';
import type { PlanOutputJson } from '../../src/cli/plan.ts';
import { kustomizeBuild, requireKubectl } from '../support/kustomize.ts';

const repo = join(import.meta.dirname, '..', '..');
let kubectl: string;
let work: string;

beforeAll(async () => {
  kubectl = await requireKubectl();
  work = await mkdtemp(join(tmpdir(), 'kaito-cli-'));
  await cp(join(repo, 'gitops', 'workspaces'), join(work, 'specs'), { recursive: true });
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('kaito-gitops synth', () => {
  it('renders the bundled examples into a tree that kubectl kustomize builds', async () => {
    const run = await runCli(['synth', '--workspaces', 'specs', '--out', 'out'], work);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('4 workspaces: 4 rendered, 0 unchanged, 0 kept, 0 refused, 0 removed');
    const objects = parseAllDocuments(await kustomizeBuild(kubectl, join(work, 'out'))).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string; labels?: Record<string, string> } },
    );
    expect(
      objects
        .filter((o) => o.kind === 'Workspace')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual([
      'workspace-llama-3-3-70b-instruct',
      'workspace-phi-3-mini',
      'workspace-phi-3-mini-adapter',
      'workspace-tuning-phi-3',
    ]);
    expect(objects.every((o) => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'kaito-gitops')).toBe(
      true,
    );
  });

  it('writes nothing the second time', async () => {
    const run = await runCli(['synth', '--workspaces', 'specs', '--out', 'out'], work);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('4 unchanged');
    expect(run.stdout).toContain('0 files written, 0 removed');
  });

  it('exits 1 naming a broken spec and leaves its running output untouched', async () => {
    const deployment = join(
      work,
      'out/workspaces/default/workspace-phi-3-mini/deployment-workspace-phi-3-mini.yaml',
    );
    const before = await readFile(deployment, 'utf8');
    const spec = join(work, 'specs', 'phi-3-mini.yaml');
    const good = await readFile(spec, 'utf8');
    await writeFile(
      spec,
      good.replace('instanceType: Standard_NC6s_v3', 'instanceType: Standard_NC6s_v3\n  count: two'),
    );
    try {
      const run = await runCli(['synth', '--workspaces', 'specs', '--out', 'out'], work);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        'specs/phi-3-mini.yaml:9:3: Workspace default/workspace-phi-3-mini: resource.count: must be an integer',
      );
      expect(run.stdout).toMatch(/default\/workspace-phi-3-mini\s+kept/);
      expect(await readFile(deployment, 'utf8')).toBe(before);
    } finally {
      await writeFile(spec, good);
    }
  });

  it('answers --output json with the outcome of every workspace', async () => {
    const run = await runCli(['synth', '--workspaces', 'specs', '--out', 'out', '--output', 'json'], work);
    const result = JSON.parse(run.stdout) as {
      workspaces: { name: string; status: string }[];
      errors: unknown[];
    };
    expect(result.errors).toEqual([]);
    expect(result.workspaces.map((w) => w.status)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
  });

  it.each([
    [['synth', '--bogus'], /unknown flag --bogus/],
    [['synth', '--worksapces', 'specs'], /unknown flag --worksapces; did you mean --workspaces\?/],
    [['synth', '--workspaces', 'specs', '--out', 'specs/out'], /must not contain each other/],
    [['synth', '--cloud', 'gcp'], /--cloud must be one of azure, aws, arc/],
    [['synth', '--output', 'yaml'], /--output must be "text" or "json"/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('exits 2 with the usage for %j', async (argv, message) => {
    const run = await runCli(argv, work);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('kaito-gitops validate and plan', () => {
  it('validate lists valid workspaces and every problem of the others', async () => {
    await writeFile(
      join(work, 'bad.yaml'),
      'apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata:\n  name: bad\nresource:\n  labelSelector:\n    matchLabels: {a: b}\ninference:\n  preset:\n    name: phi-5\n  adapters:\n    - source: {name: x, image: "reg.io/a:1"}\n      strength: "1.7"\n',
    );
    const run = await runCli(['validate', 'specs', 'bad.yaml'], work);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('ok  default/workspace-phi-3-mini');
    expect(run.stderr).toContain('bad.yaml:13:7: Workspace default/bad: inference.adapters[0].strength');
    expect(run.stderr).toContain('bad.yaml:10:5: Workspace default/bad: inference.preset.name: Unsupported');
    expect(run.stdout).toContain('4 valid, 1 with problems');
  });

  it('takes absolute paths as well as relative ones', async () => {
    const run = await runCli(['validate', join(work, 'specs', 'phi-3-mini.yaml')], '/');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ok  default/workspace-phi-3-mini');
  });

  it('plan explains the SKU, nodes and parallelism of the multi-node example', async () => {
    const run = await runCli(['plan', 'specs/llama-3.3-70b.yaml'], work);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/instanceType\s+Standard_NC48ads_A100_v4/);
    expect(run.stdout).toMatch(/nodes\s+2/);
    expect(run.stdout).toMatch(/parallelism\s+tensor 2, pipeline 2, data 1/);
    const json = await runCli(['plan', '--output', 'json', 'specs/phi-3-mini.yaml'], work);
    const parsed = JSON.parse(json.stdout) as PlanOutputJson;
    // Numbers as numbers, the price under its own name, lists as lists.
    expect(parsed.plans[0]).toMatchObject({
      workspace: { namespace: 'default', name: 'workspace-phi-3-mini' },
      workload: 'inference-preset',
      instanceType: 'Standard_NC6s_v3',
      nodes: 1,
      gpusPerNode: 1,
      multiNode: false,
      parallelism: { tensor: 1, pipeline: 1, data: 1 },
    });
    expect(typeof parsed.plans[0]?.pricePerHourUsd).toBe('number');
    expect(parsed.plans[0]?.costPerHourUsd).toBe(parsed.plans[0]?.pricePerHourUsd);
    expect(Array.isArray(parsed.plans[0]?.command)).toBe(true);
    expect(typeof parsed.plans[0]?.diskGiB).toBe('number');
  });
});
