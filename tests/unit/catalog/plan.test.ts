import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../../src/api/types.ts';
import { SpecError } from '../../../src/errors.ts';
import { describePlan } from '../../../src/catalog/describe.ts';
import { parseCatalog } from '../../../src/catalog/load.ts';
import { findPreset } from '../../../src/catalog/models.ts';
import { fitsOnOneNode } from '../../../src/catalog/placement.ts';
import { plan } from '../../../src/catalog/plan.ts';
import type { PlanContext, WorkspacePlan } from '../../../src/catalog/types.ts';
import { catalog, inference, tuning, workspace } from './fixtures.ts';

function planOrProblems(ws: Workspace, context: PlanContext = {}): WorkspacePlan | string[] {
  try {
    return plan(ws, catalog, context);
  } catch (error) {
    if (error instanceof SpecError) return error.problems.map((p) => p.message);
    throw error;
  }
}

describe('required outcomes', () => {
  it.each<{
    name: string;
    workspace: Workspace;
    context: PlanContext;
    expected: Partial<WorkspacePlan> | string[];
  }>([
    {
      name: 'phi-3-mini-4k-instruct on Standard_NC6s_v3 → 1 node, 1 GPU',
      workspace: inference('phi-3-mini-4k-instruct', { instanceType: 'Standard_NC6s_v3' }),
      context: {},
      expected: {
        workload: 'inference-preset',
        nodes: 1,
        gpusPerNode: 1,
        multiNode: false,
        skuSource: 'spec',
      },
    },
    {
      name: 'llama-3.3-70b-instruct (v1beta1, vLLM) on Standard_NC48ads_A100_v4 → 2 nodes, multi-node',
      workspace: inference('llama-3.3-70b-instruct', {
        instanceType: 'Standard_NC48ads_A100_v4',
        count: 2,
        secret: 'hf-token',
        inference: { config: 'llama-inference-params' },
      }),
      context: { vllmConfig: { 'max-model-len': 16384 } },
      expected: {
        runtime: 'vllm',
        nodes: 2,
        gpusPerNode: 2,
        multiNode: true,
        parallelism: { tensor: 2, pipeline: 2, data: 1 },
      },
    },
    {
      name: 'falcon-40b (v1alpha1, transformers) on Standard_NC6s_v3 → insufficient GPU memory',
      workspace: inference('falcon-40b', {
        apiVersion: 'kaito.sh/v1alpha1',
        instanceType: 'Standard_NC6s_v3',
      }),
      context: {},
      expected: [
        'Insufficient total GPU memory: Instance type Standard_NC6s_v3 has a total of 16Gi, but preset falcon-40b requires at least 77.9Gi',
      ],
    },
    {
      name: 'phi-3 qlora tuning on Standard_NC6s_v3 → tuning plan, 1 node',
      workspace: tuning('phi-3-mini-128k-instruct', { instanceType: 'Standard_NC6s_v3' }),
      context: {},
      expected: { workload: 'tuning', nodes: 1, gpusPerNode: 1, multiNode: false, runtime: 'transformers' },
    },
  ])('$name', ({ workspace, context, expected }) => {
    const result = planOrProblems(workspace, context);
    if (Array.isArray(expected)) expect(result).toEqual(expected);
    else expect(result).toMatchObject(expected);
  });
});

describe('plans', () => {
  it('vLLM: base image, Hugging Face weights with the token secret, Ray ports and leader for several nodes', () => {
    const p = plan(
      inference('llama-3.3-70b-instruct', {
        name: 'llama',
        instanceType: 'Standard_NC48ads_A100_v4',
        secret: 'hf',
      }),
      catalog,
    );
    expect(p).toMatchObject({
      image: 'mcr.microsoft.com/aks/kaito/kaito-base:0.5.0',
      weights: {
        kind: 'huggingface',
        repository: 'meta-llama/Llama-3.3-70B-Instruct',
        downloadDir: '/workspace/weights',
      },
      huggingFaceTokenSecret: 'hf',
      leaderAddress: 'llama-0.llama-headless.default.svc.cluster.local',
      healthPath: '/health',
      diskGiB: 211,
      readinessTimeoutSeconds: 54.43 * 60,
      env: { VLLM_USE_DEEP_GEMM: '0', VLLM_USE_FLASHINFER_SAMPLER: '0' },
      servicePorts: [
        { name: 'http', port: 80, targetPort: 5000 },
        { name: 'ray', port: 6379, targetPort: 6379 },
        { name: 'dashboard', port: 8265, targetPort: 8265 },
      ],
    });
    expect(p.command[2]).toMatch(/^if \[ "\$\{POD_INDEX\}" = "0" \]; then/);
  });

  it('vLLM ignores resource.count (Kaito estimates it) and says so', () => {
    const p = plan(
      inference('phi-3-mini-4k-instruct', { instanceType: 'Standard_NC24ads_A100_v4', count: 3 }),
      catalog,
    );
    expect(p.nodes).toBe(1);
    expect(p.notes).toContain('resource.count 3 is ignored: Kaito estimates the node count for vLLM (1)');
  });

  it('vLLM data-parallel on a multi-GPU node for a small model', () => {
    const p = plan(
      inference('phi-3-mini-4k-instruct', { instanceType: 'Standard_NC96ads_A100_v4' }),
      catalog,
    );
    expect(p).toMatchObject({ nodes: 1, gpusPerNode: 4, parallelism: { tensor: 1, pipeline: 1, data: 4 } });
    expect(p.command[2]).toContain('--data-parallel-size=4 --tensor-parallel-size=1');
  });

  it('transformers (v1alpha1): the preset image with baked weights, /healthz, torch port', () => {
    const p = plan(
      inference('falcon-7b', { apiVersion: 'kaito.sh/v1alpha1', instanceType: 'Standard_NC12s_v3' }),
      catalog,
    );
    expect(p).toMatchObject({
      runtime: 'transformers',
      image: 'mcr.microsoft.com/aks/kaito/kaito-falcon-7b:0.0.6',
      weights: { kind: 'image' },
      healthPath: '/healthz',
      nodes: 1,
      gpusPerNode: 2,
      servicePorts: [
        { name: 'http', port: 80, targetPort: 5000 },
        { name: 'torch', port: 29500, targetPort: 29500 },
      ],
    });
    expect(p.command).toEqual([
      '/bin/sh',
      '-c',
      'accelerate launch --num_processes=1 --num_machines=1 --machine_rank=0 --gpu_ids=all /workspace/tfs/inference_api.py --torch_dtype=bfloat16 --pipeline=text-generation',
    ]);
  });

  it('llama-2 private image over two nodes (v0.3.2 distributed torchrun)', () => {
    const p = plan(
      inference('llama-2-70b', {
        apiVersion: 'kaito.sh/v1alpha1',
        instanceType: 'Standard_NC96ads_A100_v4',
        count: 2,
        inference: {
          preset: { name: 'llama-2-70b', accessMode: 'private', presetOptions: { image: 'me/llama:1' } },
        },
      }),
      catalog,
    );
    expect(p).toMatchObject({
      image: 'me/llama:1',
      nodes: 2,
      gpusPerNode: 4,
      multiNode: true,
      weights: { kind: 'image' },
    });
    expect(p.command[2]).toContain('--nnodes=2 --nproc_per_node=4');
  });

  it('tuning: preset image, phi-3 target modules, memory guidance as a warning note', () => {
    const p = plan(tuning('phi-3-mini-128k-instruct', { instanceType: 'Standard_NC6s_v3' }), catalog);
    expect(p).toMatchObject({
      image: 'mcr.microsoft.com/aks/kaito/kaito-phi-3-mini-128k-instruct:0.0.2',
      env: {
        PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True',
        DEFAULT_TARGET_MODULES: 'k_proj,q_proj,v_proj,o_proj,gate_proj,down_proj,up_proj',
      },
      servicePorts: [],
    });
    expect(p.command[2]).toContain('--num_processes=1');
    expect(p.notes.some((n) => n.startsWith('warning: Kaito lists 72Gi of GPU memory for tuning'))).toBe(
      true,
    );
  });

  it('an Azure N-series SKU outside the catalog runs a template, whose pods need no GPU facts', () => {
    const p = plan(
      workspace({
        instanceType: 'Standard_NC8ads_A10_v4',
        inference: { template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      }),
      catalog,
    );
    expect(p).toMatchObject({ skuSource: 'spec', instanceType: 'Standard_NC8ads_A10_v4' });
    expect(p.sku).toBeUndefined();
    expect(p.notes.join('\n')).toMatch(/not in the SKU catalog \(Kaito admits Standard_N\* sizes\)/);
  });

  it.each([
    ['preferredNodes', { preferredNodes: ['gpu-1'] }],
    ['the annotation', { annotations: { 'kaito-gitops.io/nodes': 'byo' } }],
  ])('bring-your-own nodes via %s: no SKU, nodes = count', (_name, options) => {
    const p = plan(inference('phi-3-mini-4k-instruct', { count: 2, ...options }), catalog);
    expect(p).toMatchObject({ skuSource: 'byo', nodes: 2, gpusPerNode: 1, multiNode: true });
    expect(p.instanceType).toBeUndefined();
  });

  it('template: count nodes, the template image, no preset', () => {
    const p = plan(
      workspace({
        instanceType: 'Standard_NC6s_v3',
        count: 2,
        inference: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } },
      }),
      catalog,
    );
    expect(p).toMatchObject({
      workload: 'inference-template',
      nodes: 2,
      image: 'nginx:1',
      command: [],
      weights: { kind: 'template' },
    });
    expect(p.preset).toBeUndefined();
  });
});

describe('cheapest SKU that fits on one node', () => {
  it.each<{ name: string; workspace: Workspace; context: PlanContext; sku: string }>([
    {
      name: 'small model, vLLM, Azure',
      workspace: inference('phi-3-mini-4k-instruct'),
      context: {},
      sku: 'Standard_NV36ads_A10_v5',
    },
    {
      name: 'model too big for an A10',
      workspace: inference('phi-4'),
      context: {},
      sku: 'Standard_NC24ads_A100_v4',
    },
    {
      name: '70B fits two H100s, cheaper than four A100s',
      workspace: inference('llama-3.3-70b-instruct', { secret: 'hf' }),
      context: {},
      sku: 'Standard_NC80adis_H100_v5',
    },
    {
      name: 'small model, vLLM, AWS',
      workspace: inference('phi-3-mini-4k-instruct'),
      context: { cloud: 'aws' },
      sku: 'g6.xlarge',
    },
    {
      name: 'transformers checks decide (falcon-40b: 77.9Gi of weights)',
      workspace: inference('falcon-40b', { apiVersion: 'kaito.sh/v1alpha1' }),
      context: {},
      sku: 'Standard_NC24ads_A100_v4',
    },
    {
      name: 'tuning uses the tuning memory guidance',
      workspace: tuning('phi-3-mini-128k-instruct'),
      context: {},
      sku: 'Standard_NC24ads_A100_v4',
    },
    {
      name: 'a long context grows the KV cache',
      workspace: inference('phi-3-mini-128k-instruct', { inference: { config: 'c' } }),
      context: { vllmConfig: { 'max-model-len': 65536 } },
      sku: 'Standard_NC24ads_A100_v4',
    },
  ])('$name', ({ workspace, context, sku: expected }) => {
    const p = plan(workspace, catalog, context);
    expect(p.skuSource).toBe('cheapest-fit');
    expect(p.instanceType).toBe(expected);
    expect(p.nodes).toBe(1);
    expect(p.notes[0]).toMatch(
      new RegExp(
        `^chose ${expected.replaceAll('.', '\\.')}: cheapest (Azure|AWS) SKU that fits .* on one node \\(\\$\\d+\\.\\d\\d/h, .*approximate`,
      ),
    );
  });

  it('explains the choice with price and source', () => {
    const p = plan(inference('phi-4'), catalog);
    expect(p.notes[0]).toBe(
      `chose Standard_NC24ads_A100_v4: cheapest Azure SKU that fits microsoft/phi-4 on one node ($3.67/h, ${catalog.priceSources.azure}); 1 x NVIDIA A100, 80Gi GPU memory`,
    );
  });

  it('refuses when nothing with a price fits on one node', () => {
    expect(planOrProblems(inference('deepseek-r1-0528'))).toEqual([
      'no Azure SKU with a list price in the catalog fits deepseek-ai/DeepSeek-R1-0528 on one node; set resource.instanceType',
    ]);
  });

  it('never picks SKUs without a price or below compute capability 8.0', () => {
    const small = parseCatalog([
      {
        path: 'models.yaml',
        content: `registry: r
baseImage: { repository: r/base, tag: '1' }
models:
  - { name: m, huggingFaceId: o/m, weightsGiB: 1, diskGiB: 10, contextTokens: 4096, bytesPerToken: 1024, runtimes: { vllm: { args: {} } } }
`,
      },
      {
        path: 'skus.yaml',
        content: `cloud: azure
priceSource: test
skus:
  - { name: Standard_OLD, gpuCount: 1, gpuMemoryGiB: 16, gpuModel: NVIDIA V100, computeCapability: 7.0, pricePerHourUsd: 0.1 }
  - { name: Standard_NOPRICE, gpuCount: 1, gpuMemoryGiB: 80, gpuModel: NVIDIA H100, computeCapability: 9.0 }
  - { name: Standard_B, gpuCount: 1, gpuMemoryGiB: 24, gpuModel: NVIDIA L4, computeCapability: 8.9, pricePerHourUsd: 2 }
  - { name: Standard_A, gpuCount: 1, gpuMemoryGiB: 24, gpuModel: NVIDIA L4, computeCapability: 8.9, pricePerHourUsd: 2 }
`,
      },
    ]);
    expect(plan(inference('m'), small).instanceType).toBe('Standard_A');
  });
});

describe('every preset', () => {
  // Legacy names run transformers (their own images); catalog IDs and the legacy names outside the
  // catalog run vLLM. A legacy entry kept only for tuning has no inference runtime of its own.
  const cases = catalog.presets
    .list()
    .filter((p) => !p.deprecated && Object.keys(p.runtimes).length > 0)
    .map((p) => [p.name] as const);

  it.each(cases)('%s plans on at least one SKU', (name) => {
    const listed = catalog.presets.require(name);
    const runtime = listed.runtimes.transformers && listed.origin === 'legacy' ? 'transformers' : 'vllm';
    const found = findPreset(catalog, name, runtime);
    if (found.kind !== 'found') throw new Error(`${name} does not resolve`);
    const preset = found.preset;
    const sku =
      catalog.skus
        .list()
        .filter((s) => s.cloud === 'azure')
        .find((s) => fitsOnOneNode(preset, s, 'inference', runtime)) ??
      catalog.skus.require('Standard_ND96isr_H200_v5');
    const ws = inference(name, {
      apiVersion: runtime === 'vllm' ? 'kaito.sh/v1beta1' : 'kaito.sh/v1alpha1',
      runtime,
      instanceType: sku.name,
      ...(preset.requiresHuggingFaceToken ? { secret: 'hf' } : {}),
      ...(preset.accessMode === 'private'
        ? {
            inference: {
              preset: { name, accessMode: 'private' as const, presetOptions: { image: 'me/img:1' } },
            },
          }
        : {}),
    });
    const p = plan(ws, catalog);
    expect(p.nodes).toBeGreaterThanOrEqual(1);
    expect(p.command[0]).toBe('/bin/sh');
    expect(p.image).not.toBe('');
    expect(describePlan(p).find((row) => row.field === 'preset')?.value).toBe(preset.name);
  });

  it('covers every preset that can be tuned', () => {
    for (const preset of catalog.presets.list().filter((p) => p.tuning.supported && !p.deprecated)) {
      expect(plan(tuning(preset.name, { instanceType: 'Standard_NC96ads_A100_v4' }), catalog).workload).toBe(
        'tuning',
      );
    }
  });
});

describe('describePlan', () => {
  it('gives the rows the plan command prints, in a fixed order', () => {
    const rows = describePlan(
      plan(inference('phi-3-mini-4k-instruct', { instanceType: 'Standard_NC6s_v3' }), catalog),
    );
    expect(rows.map((r) => r.field)).toEqual([
      'workspace',
      'source',
      'workload',
      'preset',
      'runtime',
      'instanceType',
      'skuSource',
      'gpu',
      'cost',
      'nodes',
      'gpusPerNode',
      'multiNode',
      'placement',
      'parallelism',
      'estimate',
      'image',
      'command',
      'weights',
      'disk',
      'readinessTimeout',
      'note',
      'note',
      'note',
      'note',
    ]);
    expect(rows.find((r) => r.field === 'cost')?.value).toBe('$3.06/h (1 x $3.06/h)');
    expect(rows.find((r) => r.field === 'placement')?.value).toBe(
      'labelSelector + the nodes provisioned for this Workspace (kaito.sh/workspace, kaito.sh/workspacenamespace)',
    );
  });

  it('says when pods are placed by labelSelector alone, and has no placement for tuning', () => {
    const workspace = inference('phi-3-mini-4k-instruct', { instanceType: 'Standard_NC6s_v3' });
    const byo = describePlan(plan(workspace, catalog, { nodes: 'byo' }));
    expect(byo.find((r) => r.field === 'placement')?.value).toBe('labelSelector only (bring-your-own nodes)');
    expect(
      describePlan(
        plan(tuning('phi-3-mini-128k-instruct', { instanceType: 'Standard_NC6s_v3' }), catalog),
      ).some((r) => r.field === 'placement'),
    ).toBe(false);
  });
});
