/**
 * The shipped catalog data against Kaito v0.12.0: the model catalog's derived vLLM arguments agree with
 * the Hugging Face rules, the legacy names map as Kaito's LegacyBuiltinToCatalog does, and the SKU and
 * partition tables hold the entries Kaito's tables have.
 */
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../../src/catalog/load.ts';
import { bytesPerToken, deriveVllmProfile, factsFromConfig } from '../../../src/catalog/huggingface-model.ts';

const catalog = await readCatalog();
const model = (id: string) => {
  const found = catalog.models.find((m) => m.facts.id === id);
  if (!found) throw new Error(`no catalog model ${id}`);
  return found;
};

describe('model catalog (presets/model-catalog.yaml)', () => {
  it('holds the 60 models of Kaito v0.12.0', () => {
    expect(catalog.models).toHaveLength(60);
  });

  it('writes out exactly what presets/huggingface-rules.yaml derives from each model', () => {
    for (const m of catalog.models) {
      const profile = deriveVllmProfile(m.facts, catalog.huggingFaceRules);
      expect({ id: m.facts.id, served: m.servedModelName, args: m.vllmArgs }).toEqual({
        id: m.facts.id,
        served: profile.servedModelName,
        args: profile.args,
      });
    }
  });

  it('maps the 25 legacy names of LegacyBuiltinToCatalog to their IDs', () => {
    const legacy = Object.fromEntries(
      catalog.models.flatMap((m) => m.shortNames.map((s) => [s, m.facts.id.toLowerCase()])),
    );
    expect(Object.keys(legacy)).toHaveLength(25);
    expect(legacy).toMatchObject({
      'phi-4': 'microsoft/phi-4',
      'gemma-3-4b-instruct': 'google/gemma-3-4b-it',
      'mistral-7b': 'mistralai/mistral-7b-v0.3',
      'llama-3.3-70b-instruct': 'meta-llama/llama-3.3-70b-instruct',
      'mistral-large-3-675b-instruct': 'mistralai/mistral-large-3-675b-instruct-2512',
    });
  });

  it.each<[string, Record<string, string | true>]>([
    // generator.go: arch LlamaForCausalLM → llama3_json; prefix llama-3 → tool-chat template; vllm_model.go
    // adds --enable-auto-tool-choice with every parser.
    [
      'meta-llama/Llama-3.3-70B-Instruct',
      {
        dtype: 'bfloat16',
        'tool-call-parser': 'llama3_json',
        'enable-auto-tool-choice': true,
        'chat-template': '/workspace/chat_templates/tool-chat-llama3.1-json.jinja',
      },
    ],
    // quantized → dtype auto; GptOss → openai parser and openai_gptoss reasoning.
    [
      'openai/gpt-oss-20b',
      { dtype: 'auto', 'tool-call-parser': 'openai', 'reasoning-parser': 'openai_gptoss' },
    ],
    // Mistral formats from the catalog; a reasoning parser is never passed to these (nonReasoningModels).
    [
      'mistralai/Mistral-7B-Instruct-v0.3',
      { load_format: 'mistral', tokenizer_mode: 'mistral', 'tool-call-parser': 'mistral' },
    ],
    [
      'deepseek-ai/DeepSeek-R1-0528',
      {
        tokenizer_mode: 'deepseek_v32',
        'reasoning-parser': 'deepseek_r1',
        'tool-call-parser': 'deepseek_v3',
      },
    ],
    ['Qwen/Qwen3.6-27B', { 'gdn-prefill-backend': 'triton', 'tool-call-parser': 'qwen3_coder' }],
    ['deepseek-ai/DeepSeek-V4-Pro', { 'kv-cache-dtype': 'fp8', tokenizer_mode: 'deepseek_v4' }],
  ])('%s gets Kaito v0.12 vLLM arguments', (id, expected) => {
    expect(model(id).vllmArgs).toMatchObject(expected);
  });

  it('leaves the reasoning parser off the Mistral models Kaito lists as non-reasoning', () => {
    expect(model('mistralai/Ministral-3-3B-Instruct-2512').vllmArgs['reasoning-parser']).toBeUndefined();
    expect(model('mistralai/Mistral-Small-4-119B-2603').vllmArgs['reasoning-parser']).toBe('mistral');
  });

  it('runs with transformers only where Kaito v0.12 has transformers parameters', () => {
    const withTransformers = catalog.models.filter((m) => m.transformers).map((m) => m.facts.id);
    // 21 keys in Kaito's map, but "mistral-large-3-675b-instruct" never matches the generator's name for
    // the model ("mistral-large-3-675b-instruct-2512"), so Kaito looks it up in vain: vLLM only.
    expect(withTransformers).toHaveLength(20);
    expect(withTransformers).not.toContain('mistralai/Mistral-Large-3-675B-Instruct-2512');
    expect(withTransformers).not.toContain('microsoft/Phi-4-mini-instruct');
    expect(withTransformers).not.toContain('mistralai/Ministral-3-8B-Instruct-2512');
  });

  it.each([
    // 2 x 80 layers x 8 KV heads x 128 head dim x 2 bytes (GQA); Kaito v0.8 listed 327680.
    ['meta-llama/Llama-3.3-70B-Instruct', 327680],
    // multi-head latent attention: (512 + 64) x 61 layers x 2 bytes
    ['deepseek-ai/DeepSeek-V3-0324', 70272],
    ['microsoft/Phi-3-mini-4k-instruct', 393216],
  ])('%s needs %i KV-cache bytes per token', (id, bytes) => {
    expect(bytesPerToken(model(id).facts)).toBe(bytes);
  });
});

describe('facts from a config.json (generator FetchCatalogEntry)', () => {
  const rules = { defaultModelTokenLimit: 2048 };
  it('reads the text_config of a multimodal model and the quantization', () => {
    const facts = factsFromConfig(
      'o/m',
      {
        architectures: ['Gemma3ForConditionalGeneration'],
        text_config: {
          hidden_size: 2560,
          num_hidden_layers: 34,
          num_attention_heads: 8,
          num_key_value_heads: 4,
          head_dim: 256,
        },
        quantization_config: { quant_method: 'awq', bits: 4 },
      },
      8.01 * 1024 ** 3,
      rules,
    );
    expect(facts).toEqual({
      id: 'o/m',
      modelFileSizeGiB: 8.01,
      architectures: ['Gemma3ForConditionalGeneration'],
      modelTokenLimit: 2048,
      hiddenSize: 2560,
      numHiddenLayers: 34,
      numAttentionHeads: 8,
      numKeyValueHeads: 4,
      headDim: 256,
      quantMethod: 'awq',
      quantBits: 4,
    });
  });

  it('counts the layers of a hybrid model from layers_block_type', () => {
    const facts = factsFromConfig(
      'o/m',
      { layers_block_type: ['mamba', 'attention', 'mamba'], n_ctx: 8192 },
      1,
      rules,
    );
    expect(facts).toMatchObject({ numHiddenLayers: 3, modelTokenLimit: 8192 });
  });
});

describe('SKU and partition tables', () => {
  it.each([
    ['Standard_NV6ads_A10_v5', 1, 4],
    ['Standard_NV12ads_A10_v5', 1, 8],
    ['Standard_NV18ads_A10_v5', 1, 12],
    ['Standard_NV36adms_A10_v5', 1, 24],
    ['Standard_NC24r', 4, 48],
    ['Standard_ND40rs_v2', 8, 256],
    ['g4dn.metal', 8, 128],
    ['p3dn.24xlarge', 8, 256],
  ])('%s: %i GPU(s), %i GiB', (name, gpus, memory) => {
    expect(catalog.skus.get(name)).toMatchObject({ gpuCount: gpus, gpuMemoryGiB: memory });
  });

  it('lists every Azure size of Kaito v0.12 and of the v0.3.2 tables, and what an unlisted size gets', () => {
    const azure = catalog.skus.list().filter((s) => s.cloud === 'azure');
    expect(azure).toHaveLength(47);
    expect(catalog.unlistedSkuPrefixes).toEqual({ azure: ['Standard_N', 'Standard_D'] });
  });

  it('lists every MIG profile Kaito v0.12 knows, once per GPU', () => {
    const profiles = catalog.partitions.migProfiles.flatMap((g) => g.profiles);
    expect(new Set(profiles).size).toBe(35);
    expect(catalog.partitions.migResourcePrefix).toBe('nvidia.com/mig-');
  });
});
