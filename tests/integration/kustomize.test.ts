import type { V1Deployment } from '@kubernetes/client-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { renderTree, writeTree } from '../../src/render/index.ts';
import { synthesize, synthesizeAll } from '../../src/synth/index.ts';
import type { Manifest, WorkspaceManifests } from '../../src/synth/types.ts';
import { kustomizeBuild, requireKubectl } from '../support/kustomize.ts';
import {
  configMap,
  mixedPlans,
  mixedSourceObjects,
  presetPlan,
  pvc,
  templatePlan,
  tuningPlan,
} from '../support/plans.ts';

let kubectl: string;
let dir: string;

beforeAll(async () => {
  kubectl = await requireKubectl();
  dir = await mkdtemp(join(tmpdir(), 'kaito-gitops-kustomize-'));
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function build(name: string, workspaces: WorkspaceManifests[]): Promise<Manifest[]> {
  const out = join(dir, name);
  await writeTree(out, renderTree(workspaces));
  const text = await kustomizeBuild(kubectl, out);
  return YAML.parseAllDocuments(text).map((doc) => doc.toJS() as Manifest);
}

/** The main container's resources of a Deployment, StatefulSet or Job. */
const gpus = (object: Manifest | undefined) =>
  (object as unknown as V1Deployment | undefined)?.spec?.template.spec?.containers[0]?.resources;

describe('kubectl kustomize on rendered trees', () => {
  it('builds every kind of workspace, with labels applied and nvidia.com/gpu intact', async () => {
    const result = synthesizeAll(
      [
        presetPlan({ name: 'phi-3', config: 'phi-config', gpusPerNode: 1 }),
        presetPlan({
          name: 'llama-70b',
          namespace: 'big',
          nodes: 2,
          gpusPerNode: 8,
          runtime: 'transformers',
        }),
        tuningPlan({
          name: 'tune',
          config: 'qlora',
          input: { volumeSource: { persistentVolumeClaim: { claimName: 'data' } } },
        }),
        templatePlan({ name: 'custom', namespace: 'apps' }),
      ],
      [configMap('phi-config'), configMap('qlora'), pvc('data')],
    );
    expect(result.failures).toEqual([]);
    const objects = await build('kinds', result.workspaces);
    const ids = objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort();
    expect(ids).toEqual(
      result.workspaces
        .flatMap((w) => w.objects)
        .map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)
        .sort(),
    );
    for (const object of objects)
      expect(object.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('kaito-gitops');

    const byId = (kind: string, namespace: string, name: string): Manifest | undefined =>
      objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
    const statefulSet = byId('StatefulSet', 'big', 'llama-70b');
    expect(statefulSet).toMatchObject({
      spec: {
        replicas: 2,
        podManagementPolicy: 'Parallel',
        serviceName: 'llama-70b-headless',
        // includeSelectors: false — the immutable selector keeps only the Workspace label.
        selector: { matchLabels: { 'kaito.sh/workspace': 'llama-70b' } },
      },
    });
    expect(gpus(statefulSet)).toEqual({
      limits: { 'nvidia.com/gpu': '8' },
      requests: { 'nvidia.com/gpu': '8' },
    });
    expect(byId('Service', 'big', 'llama-70b-headless')).toMatchObject({ spec: { clusterIP: 'None' } });
    expect(gpus(byId('Deployment', 'default', 'phi-3'))).toEqual({
      limits: { 'nvidia.com/gpu': '1' },
      requests: { 'nvidia.com/gpu': '1' },
    });
    expect(gpus(byId('Job', 'default', 'tune'))).toEqual({
      limits: { 'nvidia.com/gpu': '1' },
      requests: { 'nvidia.com/gpu': '1' },
    });
    expect(gpus(byId('Deployment', 'apps', 'custom'))?.limits).toEqual({ 'nvidia.com/gpu': 2 });
    expect(byId('Deployment', 'default', 'phi-3')).toMatchObject({
      spec: { selector: { matchLabels: { 'kaito.sh/workspace': 'phi-3' } } },
    });
    // Multi-line data and quoted scalars survive Go's YAML reader.
    expect(byId('ConfigMap', 'default', 'phi-config')).toMatchObject({
      data: { 'inference_config.yaml': 'vllm:\n  max-model-len: 4096\n' },
    });
    expect(byId('Service', 'default', 'phi-3')).toMatchObject({
      spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 5000 }] },
    });
  });

  it("applies the directory's labels to objects that lack them", async () => {
    const workspace = synthesize(presetPlan({ name: 'bare' }));
    const unlabeled: Manifest = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'plain', namespace: 'default' },
      data: { '1': 'yes' },
    };
    const objects = await build('labels', [{ ...workspace, objects: [...workspace.objects, unlabeled] }]);
    const configMapOut = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(configMapOut.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'kaito-gitops' });
    expect(configMapOut['data']).toEqual({ '1': 'yes' });
  });

  it('fails, naming KUBECTL, when kubectl is missing or broken', async () => {
    await expect(requireKubectl({ PATH: join(dir, 'no-bin') })).rejects.toThrow(/set KUBECTL/);
    await expect(requireKubectl({ KUBECTL: join(dir, 'no-such-kubectl') })).rejects.toThrow(/set KUBECTL/);
  });

  it("reads back, through Go's YAML, every string the emitter quotes or writes as a block", async () => {
    // Strings that trip YAML readers, as ConfigMap values and annotations. Go reads every string the
    // emitter writes, but its YAML writer refuses DEL and prints U+0085, U+2028 and U+FEFF raw, which
    // no reader of kustomize's output can take back; the unit tests cover those characters.
    const fragments = [
      '\n',
      ' ',
      ':',
      ': ',
      '#',
      ' #',
      '-',
      '0',
      '1',
      'e',
      '.',
      'true',
      'no',
      'Yes',
      'ON',
      'null',
      '~',
      '<<',
      '=',
      '.inf',
      '\t',
      '"',
      "'",
      '\\',
      '|',
      '>',
      '*',
      '&',
      '!',
      '%',
      '@',
      '`',
      '{',
      '[',
      ',',
      '?',
      '\r',
      '0x1F',
      '0o17',
      '1_000',
      '1:30',
      '2024-01-01',
      '...',
      '---',
      'a',
      'é',
      '😀',
    ];
    const strings = fc.sample(
      fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')),
      { numRuns: 400, seed: 20240601 },
    );
    const data = Object.fromEntries(strings.map((text, i) => [`k${i}`, text]));
    const workspace = synthesize(presetPlan({ name: 'strings' }));
    const holder: Manifest = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'strings', namespace: 'default', annotations: { tricky: strings.join('') } },
      data,
    };
    const objects = await build('strings', [{ ...workspace, objects: [...workspace.objects, holder] }]);
    const read = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(read['data']).toEqual(data);
    expect(read.metadata.annotations).toEqual({ tricky: strings.join('') });
  });

  it('builds a tree of 200 mixed workspaces', async () => {
    const result = synthesizeAll(mixedPlans(200), mixedSourceObjects(200));
    const objects = await build('mixed', result.workspaces);
    expect(objects).toHaveLength(result.workspaces.reduce((sum, w) => sum + w.objects.length, 0));
    const workloads = objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
    expect(workloads).toHaveLength(200);
    for (const workload of workloads) expect(JSON.stringify(gpus(workload))).toContain('nvidia.com/gpu');
  });
});
