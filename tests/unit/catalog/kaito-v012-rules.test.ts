/**
 * Kaito v0.12.0's webhook rules that need model or GPU data, as table tests keyed to Kaito's own test
 * cases (api/v1beta1/workspace_validation_test.go: `TestFunction/case name`). Where kaito-gitops
 * deliberately answers differently, the case says so and the README's table of differences says why.
 */
import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../../src/api/types.ts';
import { SpecError } from '../../../src/errors.ts';
import { parseCatalog, withHuggingFaceCache } from '../../../src/catalog/load.ts';
import { plan } from '../../../src/catalog/plan.ts';
import type { Catalog, PlanContext, WorkspacePlan } from '../../../src/catalog/types.ts';
import { catalog, inference, tuning, workspace } from './fixtures.ts';

const A100 = 'Standard_NC24ads_A100_v4';
const template = { template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } };
const bypass = { 'kaito.sh/bypass-resource-checks': '' };

function outcome(ws: Workspace, context: PlanContext = {}, on: Catalog = catalog): string[] | WorkspacePlan {
  try {
    return plan(ws, on, context);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

/** `[]` for a plan, or the problems. */
function problems(ws: Workspace, context: PlanContext = {}, on: Catalog = catalog): string[] {
  const result = outcome(ws, context, on);
  return Array.isArray(result) ? result : [];
}

describe('TestResourceSpecValidateCreate', () => {
  it.each<[string, Workspace, string[] | RegExp]>([
    ['Valid Resource', inference('phi-3-mini-4k-instruct', { instanceType: A100 }), []],
    [
      'Invalid SKU',
      inference('phi-3-mini-4k-instruct', { instanceType: 'Standard_Bad' }),
      /Unsupported instance type Standard_Bad\. Supported SKUs: /,
    ],
    // Kaito admits the prefix, then its controller cannot size the preset ("Unsupported SKU ... for cloud
    // provider"); kaito-gitops refuses before merge (README: deliberate differences).
    [
      'N-Prefix SKU',
      inference('phi-3-mini-4k-instruct', { instanceType: 'Standard_NC8ads_A10_v4' }),
      /Unsupported SKU 'Standard_NC8ads_A10_v4' for cloud provider/,
    ],
    ['Only Template set', workspace({ instanceType: 'Standard_NC8ads_A10_v4', inference: template }), []],
    ['D-Prefix SKU', workspace({ instanceType: 'Standard_D4s_v3', inference: template }), []],
    ['Tuning validation with single node', tuning('phi-3-mini-128k-instruct', { instanceType: A100 }), []],
    [
      'Tuning validation with multinode',
      tuning('phi-3-mini-128k-instruct', { instanceType: A100, count: 2 }),
      /^resource\.count: Tuning does not currently support multinode configurations/,
    ],
    [
      'Invalid Preset Name',
      inference('invalid-name', { instanceType: A100 }),
      ['inference.preset.name: Unsupported inference preset name invalid-name'],
    ],
    [
      'vLLM + Distributed Inference',
      inference('llama-3.3-70b-instruct', { instanceType: 'Standard_NC48ads_A100_v4', secret: 'hf' }),
      [],
    ],
    [
      'Deprecated Model',
      inference('phi-2', { apiVersion: 'kaito.sh/v1alpha1', instanceType: A100 }),
      ['inference.preset.name: Model phi-2 is deprecated and no longer supported'],
    ],
    [
      'Invalid - insufficient GPU memory for non-distributed model',
      inference('falcon-40b', { runtime: 'transformers', instanceType: 'Standard_NV36ads_A10_v5' }),
      [
        'resource.instanceType: Insufficient total GPU memory: Instance type Standard_NV36ads_A10_v5 has a total of 24Gi, but preset falcon-40b requires at least 77.9Gi',
      ],
    ],
    // issue 10: the memory check applies to the partial-A10 sizes too, instead of a silent pass.
    [
      'transformers on a partial A10 (NV12ads_A10_v5, 8 GiB)',
      inference('gemma-3-4b-instruct', { runtime: 'transformers', instanceType: 'Standard_NV12ads_A10_v5' }),
      [
        'resource.instanceType: Insufficient total GPU memory: Instance type Standard_NV12ads_A10_v5 has a total of 8Gi, but preset gemma-3-4b-instruct requires at least 8.01Gi',
        'resource: Multi-node distributed inference is not supported with Huggingface Transformers runtime',
      ],
    ],
    // v0.12 compares the safetensors size (27.31Gi), not the v0.4 figure (40Gi), and has no GPU-count rule.
    [
      'transformers sizing from the catalog: phi-4 fits one 40 GiB A100 slice of memory',
      inference('phi-4', { runtime: 'transformers', instanceType: 'Standard_ND96asr_A100_v4' }),
      [],
    ],
    [
      'bypass-resource-checks silences only the memory error',
      inference('llama-3.3-70b-instruct', {
        runtime: 'transformers',
        instanceType: A100,
        secret: 'hf',
        annotations: bypass,
      }),
      ['resource: Multi-node distributed inference is not supported with Huggingface Transformers runtime'],
    ],
  ])('%s', (_name, ws, expected) => {
    const found = problems(ws);
    if (Array.isArray(expected)) expect(found).toEqual(expected);
    else expect(found.join('\n')).toMatch(expected);
  });
});

describe('TestInferenceSpecValidateCreate', () => {
  it.each<[string, Workspace, string[]]>([
    ['Valid Preset', inference('phi-3-mini-4k-instruct', { instanceType: A100 }), []],
    [
      'Valid with adapters/transformers',
      inference('phi-3-mini-4k-instruct', {
        runtime: 'transformers',
        instanceType: A100,
        inference: { adapters: [{ source: { name: 'a', image: 'r.io/a:1' }, strength: '0.5' }] },
      }),
      [],
    ],
    // issue 10: models Kaito v0.12 runs only with vLLM (transformers v5 needed)
    [
      'phi-4-mini under transformers',
      inference('phi-4-mini-instruct', { runtime: 'transformers', instanceType: A100 }),
      [
        'inference.preset.name: Runtime validation: model phi-4-mini-instruct does not support inference with Huggingface Transformers runtime',
      ],
    ],
    [
      'download model at runtime but no access secret',
      inference('meta-llama/Llama-3.1-8B-Instruct', { instanceType: A100 }),
      [
        'inference.preset.presetOptions.modelAccessSecret: This preset requires authentication and needs a modelAccessSecret with HF_TOKEN key under presetOptions to download the model',
      ],
    ],
    [
      'download model at runtime with access secret',
      inference('meta-llama/Llama-3.1-8B-Instruct', { instanceType: A100, secret: 'hf' }),
      [],
    ],
    [
      'Preset with model weights packaged but with access secret',
      inference('falcon-7b', { runtime: 'transformers', instanceType: A100, secret: 'hf' }),
      [
        'inference.preset.presetOptions.modelAccessSecret: This preset does not require a modelAccessSecret with HF_TOKEN key under presetOptions',
      ],
    ],
    // Since Kaito v0.9 any org/model ID is a preset name; the catalog's, in any case.
    ['a catalog ID', inference('Qwen/Qwen2.5-Coder-7B-Instruct', { instanceType: A100 }), []],
    ['a catalog ID, lower-cased', inference('qwen/qwen3.6-27b', { instanceType: A100 }), []],
    [
      'an ID outside the catalog and the cache',
      inference('acme/unknown-7b', { instanceType: A100 }),
      [
        'inference.preset.name: acme/unknown-7b is not in the model catalog, and .kaito-gitops/huggingface-models.yaml does not size it: run kaito-gitops plan on these specs where the Hugging Face Hub is reachable (HF_TOKEN for a gated model) and commit .kaito-gitops/huggingface-models.yaml',
      ],
    ],
  ])('%s', (_name, ws, expected) => {
    expect(problems(ws)).toEqual(expected);
  });

  it('plans an ID from the Hugging Face cache like a catalog model, gated included', () => {
    const cached = withHuggingFaceCache(catalog, {
      path: 'gitops/workspaces/.kaito-gitops/huggingface-models.yaml',
      entries: [
        {
          gated: true,
          facts: {
            id: 'acme/Tiny-Llama-3B',
            modelFileSizeGiB: 6.2,
            architectures: ['LlamaForCausalLM'],
            modelTokenLimit: 8192,
            hiddenSize: 3072,
            numHiddenLayers: 28,
            numAttentionHeads: 24,
            numKeyValueHeads: 8,
          },
        },
      ],
    });
    expect(problems(inference('acme/Tiny-Llama-3B', { instanceType: A100 }), {}, cached)).toEqual([
      'inference.preset.presetOptions.modelAccessSecret: This preset requires authentication and needs a modelAccessSecret with HF_TOKEN key under presetOptions to download the model',
    ]);
    const p = outcome(inference('acme/tiny-llama-3b', { instanceType: A100, secret: 'hf' }), {}, cached);
    expect(Array.isArray(p) ? p : p.command[2]).toMatch(
      /--tool-call-parser=llama3_json --enable-auto-tool-choice .*--served-model-name=tiny-llama-3b --model=acme\/Tiny-Llama-3B /,
    );
  });
});

describe('TestValidatePartition', () => {
  it.each<[string, Workspace, string[]]>([
    [
      'accelerator with valid count',
      inference('phi-3-mini-4k-instruct', { partition: { mode: 'accelerator', count: 2 } }),
      [],
    ],
    [
      'accelerator missing count',
      inference('phi-3-mini-4k-instruct', { partition: { mode: 'accelerator' } }),
      ['resource.partition.count: missing field(s): partition.count'],
    ],
    [
      'accelerator with profile set',
      inference('phi-3-mini-4k-instruct', {
        partition: { mode: 'accelerator', count: 1, profile: '1g.10gb' },
      }),
      ['resource.partition.profile: profile is not valid for accelerator mode'],
    ],
    [
      'mig with valid profile',
      inference('phi-3-mini-4k-instruct', { partition: { mode: 'mig', profile: '3g.40gb' } }),
      [],
    ],
    [
      'mig with count set',
      inference('phi-3-mini-4k-instruct', { partition: { mode: 'mig', profile: '3g.40gb', count: 1 } }),
      ['resource.partition.count: count is only valid for accelerator mode'],
    ],
    [
      'unsupported mode',
      inference('phi-3-mini-4k-instruct', { partition: { mode: 'gpu-share' as 'mig' } }),
      [
        'resource.partition.mode: unsupported partition mode "gpu-share", supported modes are "mig" and "accelerator"',
      ],
    ],
    [
      'mig with an unknown profile',
      inference('phi-3-mini-4k-instruct', { partition: { mode: 'mig', profile: '5g.50gb' } }),
      [
        expect.stringMatching(
          /^resource\.partition\.profile: unknown MIG profile "5g\.50gb": must be one of \[1g\.10gb 1g\.12gb .* 7g\.96gb\]$/,
        ),
      ],
    ],
    [
      'mig with a malformed profile',
      inference('phi-3-mini-4k-instruct', { partition: { mode: 'mig', profile: 'big' } }),
      [`resource.partition.profile: invalid MIG profile format "big": expected format like '1g.10gb'`],
    ],
    [
      'partitioning needs bring-your-own nodes',
      inference('phi-3-mini-4k-instruct', {
        instanceType: A100,
        partition: { mode: 'accelerator', count: 1 },
      }),
      [
        'resource.partition: GPU partitioning is only supported with BYO nodes (disableNodeAutoProvisioning=true); remove resource.instanceType: a partitioned Workspace runs on your own GPU nodes, found by resource.labelSelector',
      ],
    ],
    [
      'tuning (validateCreateWithTuning)',
      tuning('phi-3-mini-128k-instruct', { partition: { mode: 'accelerator', count: 1 } }),
      ['resource.partition: GPU partitioning is not supported for tuning workloads'],
    ],
  ])('%s', (_name, ws, expected) => {
    expect(problems(ws)).toEqual(expected);
  });

  it('requests the MIG slice as its extended resource, one GPU with the slice memory, no KV offload', () => {
    const p = outcome(
      inference('phi-3-mini-4k-instruct', { partition: { mode: 'mig', profile: '3g.40gb' } }),
    );
    if (Array.isArray(p)) throw new Error(p.join('\n'));
    expect(p).toMatchObject({
      partition: { mode: 'mig', profile: '3g.40gb', resource: 'nvidia.com/mig-3g.40gb', sliceGiB: 40 },
      skuSource: 'byo',
      pinToWorkspaceNodes: false,
      nodes: 1,
      gpusPerNode: 1,
    });
    expect(p.command[2]).toContain('--kaito-kv-cache-cpu-memory-utilization=0');
    expect(p.notes.join('\n')).toMatch(/offered by NVIDIA A100 80GB \/ H100 80GB/);
  });

  it('gives an accelerator partition its whole GPUs, tensor-parallel', () => {
    const p = outcome(inference('phi-4', { partition: { mode: 'accelerator', count: 2 } }));
    if (Array.isArray(p)) throw new Error(p.join('\n'));
    expect(p).toMatchObject({ gpusPerNode: 2, parallelism: { tensor: 2 }, skuSource: 'byo' });
  });
});

describe('TestValidateMIGModelFit', () => {
  it.each<[string, Workspace, string[]]>([
    [
      'model fits within the MIG slice',
      inference('phi-3-mini-4k-instruct', { partition: { mode: 'mig', profile: '2g.20gb' } }),
      [],
    ],
    [
      'model exceeds the MIG slice',
      inference('phi-4', { partition: { mode: 'mig', profile: '2g.20gb' } }),
      [
        'resource.partition: Model microsoft/phi-4 requires at least 27.31Gi for weights, which exceeds the 2g.20gb MIG slice capacity of 20Gi',
      ],
    ],
    // Kaito's node estimator still sizes the slice with vLLM's overhead: bypass or not, the model must fit.
    [
      'bypass annotation allows an oversized model (the overhead-aware estimate still refuses it)',
      inference('phi-4', { partition: { mode: 'mig', profile: '2g.20gb' }, annotations: bypass }),
      [
        expect.stringMatching(
          /^resource\.partition: model needs .*GB \(weights 27\.9GB \+ overhead .*GB\) but MIG profile 2g\.20gb only provides 20GB/,
        ),
      ],
    ],
  ])('%s', (_name, ws, expected) => {
    expect(problems(ws)).toEqual(expected);
  });
});

describe('unlisted sizes and custom catalogs', () => {
  it('a presets directory without rules or partitions still loads legacy presets', () => {
    const small = parseCatalog([
      {
        path: 'models.yaml',
        content: `registry: r
baseImage: { repository: r/base, tag: '1' }
models:
  - { name: m, huggingFaceId: o/m, weightsGiB: 24, diskGiB: 10, contextTokens: 4096, bytesPerToken: 1024, runtimes: { transformers: { args: {} } } }
`,
      },
      {
        path: 'skus.yaml',
        content: `cloud: azure
skus:
  - { name: Standard_X, gpuCount: 1, gpuMemoryGiB: 24, gpuModel: NVIDIA L4 }
`,
      },
    ]);
    // Valid Resource - SKU Capacity == Model Requirement
    expect(
      problems(inference('m', { runtime: 'transformers', instanceType: 'Standard_X' }), {}, small),
    ).toEqual([]);
    expect(
      problems(
        inference('m', { runtime: 'transformers', partition: { mode: 'mig', profile: '1g.10gb' } }),
        {},
        small,
      ),
    ).toEqual(['resource.partition.profile: unknown MIG profile "1g.10gb": must be one of []']);
  });
});
