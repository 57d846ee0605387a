import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../../src/api/types.ts';
import { SpecError } from '../../../src/errors.ts';
import { plan } from '../../../src/catalog/plan.ts';
import { usesAdapterStrength } from '../../../src/catalog/rules.ts';
import type { PlanContext } from '../../../src/catalog/types.ts';
import { catalog, inference, tuning, workspace } from './fixtures.ts';

/** The problems plan() reports, as `path: message`. */
function problems(ws: Workspace, context: PlanContext = {}): string[] {
  try {
    plan(ws, catalog, context);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

const A100 = 'Standard_NC24ads_A100_v4';
const v1alpha1 = { apiVersion: 'kaito.sh/v1alpha1' } as const;
const adapter = (strength?: string) => ({
  source: { name: 'a', image: 'r.example.com/a:1' },
  ...(strength ? { strength } : {}),
});

describe('catalog rules (Kaito messages, with field paths)', () => {
  it.each<[string, Workspace, PlanContext, string[]]>([
    ['a known preset passes', inference('phi-3-mini-4k-instruct', { instanceType: A100 }), {}, []],
    [
      'unknown inference preset',
      inference('phi-5', { instanceType: A100 }),
      {},
      ['inference.preset.name: Unsupported inference preset name phi-5; did you mean phi-2, phi-4?'],
    ],
    [
      'unknown tuning preset',
      tuning('phi-5', { instanceType: A100 }),
      {},
      ['tuning.preset.name: Unsupported tuning preset name phi-5; did you mean phi-2, phi-4?'],
    ],
    [
      'a preset that cannot be tuned',
      tuning('llama-3.1-8b-instruct', { instanceType: A100 }),
      {},
      ['tuning.preset.name: Unsupported tuning preset name llama-3.1-8b-instruct'],
    ],
    [
      'deprecated preset',
      inference('phi-2', { ...v1alpha1, instanceType: A100 }),
      {},
      ['inference.preset.name: Model phi-2 is deprecated and no longer supported'],
    ],
    [
      'unknown SKU',
      inference('phi-3-mini-4k-instruct', { instanceType: 'Standard_Bad' }),
      {},
      [
        `resource.instanceType: Unsupported instance type Standard_Bad. Supported SKUs: ${catalog.skus
          .list()
          .filter((s) => s.cloud === 'azure')
          .map((s) => s.name)
          .join(', ')}`,
      ],
    ],
    [
      // Kaito's webhook admits it; its controller then fails GetGPUConfigBySKU and never creates the workload.
      'an Azure N-series SKU outside the catalog cannot size a preset',
      inference('phi-3-mini-4k-instruct', { instanceType: 'Standard_NC8ads_A10_v4' }),
      {},
      [
        "resource.instanceType: Unsupported SKU 'Standard_NC8ads_A10_v4' for cloud provider: Kaito admits Standard_N* sizes it does not know, but cannot size microsoft/Phi-3-mini-4k-instruct on one, so the workload would never start; use a size the catalog lists (kaito-gitops presets --skus) or add Standard_NC8ads_A10_v4 with its GPU count and memory to the presets' SKU file",
      ],
    ],
    [
      'an AWS-looking name on AWS is refused',
      inference('phi-3-mini-4k-instruct', { instanceType: 'Standard_NC8ads_A10_v4' }),
      { cloud: 'aws' },
      [
        `resource.instanceType: Unsupported instance type Standard_NC8ads_A10_v4. Supported SKUs: ${catalog.skus
          .list()
          .filter((s) => s.cloud === 'aws')
          .map((s) => s.name)
          .join(', ')}`,
      ],
    ],
    [
      'transformers: total GPU memory',
      inference('phi-3-medium-4k-instruct', { ...v1alpha1, instanceType: 'Standard_NC6s_v3' }),
      {},
      [
        'resource.instanceType: Insufficient total GPU memory: Instance type Standard_NC6s_v3 has a total of 16Gi, but preset phi-3-medium-4k-instruct requires at least 26Gi',
        'resource: Multi-node distributed inference is not supported with Huggingface Transformers runtime',
      ],
    ],
    [
      'torchrun: the total GPU memory of all nodes (no GPU-count rule in Kaito v0.12)',
      inference('llama-2-70b', {
        ...v1alpha1,
        instanceType: 'Standard_NC24s_v3',
        inference: {
          preset: { name: 'llama-2-70b', accessMode: 'private', presetOptions: { image: 'me/llama:1' } },
        },
      }),
      {},
      [
        'resource.instanceType: Insufficient total GPU memory: Instance type Standard_NC24s_v3 has a total of 64Gi, but preset llama-2-70b requires at least 128.5Gi',
      ],
    ],
    [
      'the bypass annotation silences the memory check, not the multi-node transformers rule',
      inference('phi-3-medium-4k-instruct', {
        ...v1alpha1,
        instanceType: 'Standard_NC6s_v3',
        annotations: { 'kaito.sh/bypass-resource-checks': '' },
      }),
      {},
      ['resource: Multi-node distributed inference is not supported with Huggingface Transformers runtime'],
    ],
    [
      // Kaito v0.12 runs `count` replicas of a model that fits one node; only a model that needs
      // several nodes is refused under transformers.
      'transformers with count 2 and a model that fits one node',
      inference('falcon-7b', { ...v1alpha1, instanceType: 'Standard_NC12s_v3', count: 2 }),
      {},
      [],
    ],
    [
      // transformer_runtime_inference_parameters.go comments ministral-3 out (needs transformers v5).
      'a vLLM-only model under transformers',
      inference('ministral-3-3b-instruct', { runtime: 'transformers', instanceType: A100 }),
      {},
      [
        'inference.preset.name: Runtime validation: model ministral-3-3b-instruct-2512 does not support inference with Huggingface Transformers runtime',
      ],
    ],
    [
      'a transformers-only model under vLLM',
      inference('llama-2-7b', {
        runtime: 'vllm',
        instanceType: A100,
        inference: {
          preset: { name: 'llama-2-7b', accessMode: 'private', presetOptions: { image: 'me/llama:1' } },
        },
      }),
      {},
      [
        'inference.preset.name: Runtime validation: model llama-2-7b does not support inference with vLLM runtime (set annotation kaito.sh/runtime: transformers)',
      ],
    ],
    [
      'adapter strength other than 1 under vLLM',
      inference('phi-3-mini-128k-instruct', {
        instanceType: A100,
        inference: { adapters: [adapter('1.0'), adapter('0.2')] },
      }),
      {},
      [
        'inference.adapters[1].strength: Runtime validation: vLLM does not support adapter strength ("0.2"; remove it or use "1.0")',
      ],
    ],
    [
      'adapter strength is fine under transformers',
      inference('falcon-7b', {
        ...v1alpha1,
        instanceType: 'Standard_NC12s_v3',
        inference: { adapters: [adapter('0.2')] },
      }),
      {},
      [],
    ],
    [
      'gated model without a token (v1beta1)',
      inference('llama-3.1-8b-instruct', { instanceType: A100 }),
      {},
      [
        'inference.preset.presetOptions.modelAccessSecret: This preset requires authentication and needs a modelAccessSecret with HF_TOKEN key under presetOptions to download the model',
      ],
    ],
    [
      'gated model with a token',
      inference('llama-3.1-8b-instruct', { instanceType: A100, secret: 'hf-token' }),
      {},
      [],
    ],
    [
      'an open model may carry a token (gpt-oss example)',
      inference('gpt-oss-20b', { instanceType: A100, secret: 'hf-token' }),
      {},
      [],
    ],
    [
      'a token for weights that come from an image',
      inference('falcon-7b', {
        runtime: 'transformers',
        instanceType: 'Standard_NC12s_v3',
        secret: 'hf-token',
      }),
      {},
      [
        'inference.preset.presetOptions.modelAccessSecret: This preset does not require a modelAccessSecret with HF_TOKEN key under presetOptions',
      ],
    ],
    [
      'token rules do not apply to v1alpha1 (no modelAccessSecret there)',
      inference('llama-3.1-8b-instruct', { ...v1alpha1, runtime: 'vllm', instanceType: A100 }),
      {},
      [],
    ],
    [
      'private preset requested as public',
      inference('llama-2-7b', { ...v1alpha1, instanceType: 'Standard_NC12s_v3' }),
      {},
      [
        'inference.preset.accessMode: This preset only supports private AccessMode, AccessMode must be private to continue',
      ],
    ],
    [
      'private access without an image',
      inference('llama-2-7b', {
        ...v1alpha1,
        instanceType: 'Standard_NC12s_v3',
        inference: { preset: { name: 'llama-2-7b', accessMode: 'private' } },
      }),
      {},
      [
        'inference.preset.presetOptions.image: When AccessMode is private, an image must be provided in PresetOptions',
      ],
    ],
    [
      'tuning on several nodes',
      tuning('phi-3-mini-128k-instruct', { instanceType: A100, count: 2 }),
      {},
      [
        'resource.count: Tuning does not currently support multinode configurations. Please set the node count to 1. Future support with DeepSpeed will allow this.',
      ],
    ],
    [
      'max-model-len beyond the context window',
      inference('phi-3-mini-4k-instruct', { instanceType: A100, inference: { config: 'params' } }),
      { vllmConfig: { 'max-model-len': 8192 } },
      [
        "inference.config: max-model-len 8192 exceeds model's maximum supported context window 4096 (ModelTokenLimit)",
      ],
    ],
    [
      'a model that may not be distributed needs more than one node',
      inference('falcon-40b', { instanceType: 'Standard_NV36ads_A10_v5' }),
      {},
      [
        'resource.instanceType: models with disabled support distributed inference cannot be distributed across more than 1 GPU node, please use a node with larger GPU memory, calculated nodes: 5',
      ],
    ],
    [
      'a GPU too small for the KV cache',
      inference('gemma-3-27b-instruct', { instanceType: 'Standard_NC4as_T4_v3', secret: 't' }),
      { vllmConfig: { 'max-model-len': 32768 } },
      [
        'resource.instanceType: GPU memory 17179869184 bytes is too small, needs at least 17.8 GB overhead (base: 2.3GB + KV Cache: 15.5 GB)',
      ],
    ],
    [
      'torchrun processes must split evenly',
      inference('llama-2-13b', {
        ...v1alpha1,
        instanceType: 'Standard_NC24s_v3',
        count: 3,
        inference: {
          preset: { name: 'llama-2-13b', accessMode: 'private', presetOptions: { image: 'me/llama:1' } },
        },
      }),
      {},
      [
        'resource.count: llama-2-13b runs 2 torchrun processes that must split evenly across nodes; use a count that divides 2',
      ],
    ],
    [
      'template without a SKU on provisioned nodes',
      workspace({ inference: { template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }),
      {},
      ['resource.instanceType: instanceType is required when node auto-provisioning is enabled'],
    ],
    [
      'several problems at once',
      inference('phi-3-mini-4k-instruct', {
        instanceType: 'Standard_Bad',
        inference: { adapters: [adapter('0.5')], config: 'c' },
      }),
      { vllmConfig: { 'max-model-len': 100000 } },
      [
        'inference.adapters[0].strength: Runtime validation: vLLM does not support adapter strength ("0.5"; remove it or use "1.0")',
        "inference.config: max-model-len 100000 exceeds model's maximum supported context window 4096 (ModelTokenLimit)",
        expect.stringMatching(/^resource.instanceType: Unsupported instance type Standard_Bad\./),
      ],
    ],
  ])('%s', (_name, ws, context, expected) => {
    expect(problems(ws, context)).toEqual(expected);
  });

  it('names the workspace file on the SpecError', () => {
    expect(() => plan(inference('phi-5', { name: 'x' }), catalog)).toThrow(
      'workspaces/x.yaml: inference.preset.name: Unsupported inference preset name phi-5',
    );
  });

  it.each([
    [undefined, false],
    ['1.0', false],
    ['1', false],
    ['1.00', false],
    ['0.2', true],
    ['0', true],
  ])('usesAdapterStrength(%s) = %s', (strength, expected) => {
    expect(usesAdapterStrength(strength)).toBe(expected);
  });
});
