/**
 * A Hugging Face model as Kaito v0.12 runs it: the facts its model catalog stores for each ID
 * (`presets/workspace/models/model_catalog.yaml`), how they are read from a model's `config.json` and
 * safetensors size (`presets/workspace/generator`), and what Kaito derives from them for vLLM (short name,
 * dtype, tool-call and reasoning parsers, chat template, extra flags, KV-cache bytes per token, disk,
 * readiness timeout). The derivation rules are data (`presets/huggingface-rules.yaml`); this file applies
 * them. Pure.
 */
import type { FlagValue } from './types.ts';

/** The catalog's facts about one model (the fields of Kaito's `CatalogEntry`). */
export interface ModelFacts {
  /** Hugging Face ID, e.g. `Qwen/Qwen2.5-Coder-7B-Instruct`. */
  id: string;
  /** Size of the weight files, GiB (Kaito `modelFileSize`). */
  modelFileSizeGiB: number;
  architectures: string[];
  /** Context window (`max_position_embeddings` and its aliases). */
  modelTokenLimit: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim?: number;
  /** Multi-head latent attention (DeepSeek): compressed KV rank. */
  kvLoraRank?: number;
  qkRopeHeadDim?: number;
  quantMethod?: string;
  quantBits?: number;
  /** `mistral` for Mistral-format repositories; `auto` otherwise. */
  loadFormat?: string;
  configFormat?: string;
  tokenizerMode?: string;
}

export interface ReadinessRule {
  baseMinutes: number;
  secondsPerGiB: number;
  minMinutes: number;
  maxMinutes: number;
}

/** `presets/huggingface-rules.yaml`. */
export interface HuggingFaceRules {
  systemDiskGiB: number;
  defaultModelTokenLimit: number;
  readinessTimeout: ReadinessRule;
  reasoningParser: {
    byNamePrefix: Record<string, string>;
    byArchitecture: Record<string, string>;
    notFor: string[];
  };
  toolCallParser: { byNamePrefix: Record<string, string>; byArchitecture: Record<string, string> };
  chatTemplate: { byNamePrefix: Record<string, string> };
  vllmArgsByNamePrefix: Record<string, Record<string, FlagValue>>;
  noKvCacheOffload: string[];
  needsCudaToolkit: { architectures: string[]; names: string[] };
  vllmArchitectures: string[];
}

/**
 * A presets directory without `huggingFaceRules:` (a custom `--presets` with legacy presets only): no
 * parsers, no extra flags, every architecture allowed, the 30-minute readiness floor.
 */
export const NO_RULES: HuggingFaceRules = {
  systemDiskGiB: 0,
  defaultModelTokenLimit: 2048,
  readinessTimeout: { baseMinutes: 30, secondsPerGiB: 0, minMinutes: 30, maxMinutes: 30 },
  reasoningParser: { byNamePrefix: {}, byArchitecture: {}, notFor: [] },
  toolCallParser: { byNamePrefix: {}, byArchitecture: {} },
  chatTemplate: { byNamePrefix: {} },
  vllmArgsByNamePrefix: {},
  noKvCacheOffload: [],
  needsCudaToolkit: { architectures: [], names: [] },
  vllmArchitectures: [],
};

/** What Kaito v0.12 derives from a model's facts to serve it with vLLM. */
export interface VllmProfile {
  /** `--served-model-name`: the last segment of the ID, lower-cased (`qwen2.5-coder-7b-instruct`). */
  servedModelName: string;
  dtype: string;
  toolCallParser?: string;
  reasoningParser?: string;
  chatTemplate?: string;
  /** The model's own vLLM flags, in the order they are rendered. */
  args: Record<string, FlagValue>;
  bytesPerToken: number;
  diskGiB: number;
  readinessTimeoutMinutes: number;
  /** False where Kaito turns KV-cache CPU offload off for the architecture. */
  kvCacheOffload: boolean;
  /** Needs nvcc at run time (Kaito mounts a node-installed CUDA toolkit). */
  cudaToolkit: boolean;
}

export const CHAT_TEMPLATE_DIR = '/workspace/chat_templates';

/** The generator's model name: the last segment of the ID, lower-cased. */
export function shortName(id: string): string {
  return (id.split('/').pop() ?? id).toLowerCase();
}

/** The value of the longest prefix of `name` in `map`, if any. */
export function byLongestPrefix<T>(name: string, map: Readonly<Record<string, T>>): T | undefined {
  const prefix = Object.keys(map)
    .filter((p) => name.startsWith(p))
    .sort((a, b) => b.length - a.length || (a < b ? 1 : -1))[0];
  return prefix === undefined ? undefined : map[prefix];
}

function byArchitecture(architectures: readonly string[], map: Readonly<Record<string, string>>) {
  for (const architecture of architectures) {
    const found = map[architecture];
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * KV-cache bytes per token at fp16 (Kaito `calculateKVCacheTokenSize`): latent attention stores
 * `kvLoraRank + qkRopeHeadDim` elements per layer, the others `2 × kvHeads × headDim`.
 */
export function bytesPerToken(facts: ModelFacts): number {
  const heads = facts.numAttentionHeads;
  const headDim = facts.headDim ?? (heads > 0 ? Math.floor(facts.hiddenSize / heads) : 0);
  const kvHeads = facts.numKeyValueHeads > 0 ? facts.numKeyValueHeads : heads;
  const elements =
    facts.kvLoraRank !== undefined && facts.kvLoraRank > 0
      ? facts.kvLoraRank + (facts.qkRopeHeadDim ?? 0)
      : heads > 0 && kvHeads > 0 && headDim > 0
        ? 2 * kvHeads * headDim
        : 0;
  return elements * facts.numHiddenLayers * 2;
}

/** 15 min + 18 s per GiB of weights, clamped to 30..180 min (vllm_model.go). */
export function readinessTimeoutMinutes(sizeGiB: number, rule: ReadinessRule): number {
  const minutes = rule.baseMinutes + (sizeGiB * rule.secondsPerGiB) / 60;
  return Math.min(rule.maxMinutes, Math.max(rule.minMinutes, Math.round(minutes * 100) / 100));
}

export function deriveVllmProfile(facts: ModelFacts, rules: HuggingFaceRules): VllmProfile {
  const name = shortName(facts.id);
  const loadFormat = facts.loadFormat ?? 'auto';
  const args: Record<string, FlagValue> = {
    load_format: loadFormat,
    config_format: facts.configFormat ?? loadFormat,
    tokenizer_mode: facts.tokenizerMode ?? loadFormat,
    'trust-remote-code': true,
  };
  const dtype = facts.quantMethod ? 'auto' : 'bfloat16';
  args['dtype'] = dtype;
  const toolCallParser =
    byLongestPrefix(name, rules.toolCallParser.byNamePrefix) ??
    byArchitecture(facts.architectures, rules.toolCallParser.byArchitecture);
  if (toolCallParser !== undefined) {
    args['tool-call-parser'] = toolCallParser;
    args['enable-auto-tool-choice'] = true;
  }
  const chatTemplate = byLongestPrefix(name, rules.chatTemplate.byNamePrefix);
  if (chatTemplate !== undefined) args['chat-template'] = `${CHAT_TEMPLATE_DIR}/${chatTemplate}`;
  const reasoningParser = rules.reasoningParser.notFor.includes(name)
    ? undefined
    : (byLongestPrefix(name, rules.reasoningParser.byNamePrefix) ??
      byArchitecture(facts.architectures, rules.reasoningParser.byArchitecture));
  if (reasoningParser !== undefined) args['reasoning-parser'] = reasoningParser;
  // Later prefix rules (tokenizer mode and friends) override the format defaults above.
  Object.assign(args, byLongestPrefix(name, rules.vllmArgsByNamePrefix) ?? {});
  const architectures = facts.architectures;
  return {
    servedModelName: name,
    dtype,
    ...(toolCallParser !== undefined ? { toolCallParser } : {}),
    ...(reasoningParser !== undefined ? { reasoningParser } : {}),
    ...(chatTemplate !== undefined ? { chatTemplate } : {}),
    args,
    bytesPerToken: bytesPerToken(facts),
    diskGiB: Math.floor(facts.modelFileSizeGiB + rules.systemDiskGiB),
    readinessTimeoutMinutes: readinessTimeoutMinutes(facts.modelFileSizeGiB, rules.readinessTimeout),
    kvCacheOffload: !architectures.some((a) => rules.noKvCacheOffload.includes(a)),
    cudaToolkit:
      architectures.some((a) => rules.needsCudaToolkit.architectures.includes(a)) ||
      rules.needsCudaToolkit.names.includes(name),
  };
}

/** Kaito accepts an ID outside the catalog when vLLM knows one of its architectures (or it names none). */
export function unsupportedArchitecture(facts: ModelFacts, rules: HuggingFaceRules): string | undefined {
  if (facts.architectures.length === 0 || rules.vllmArchitectures.length === 0) return undefined;
  if (facts.architectures.some((a) => rules.vllmArchitectures.includes(a))) return undefined;
  return `unsupported model architecture for ${facts.id}: ${facts.architectures.join(', ')}`;
}

type Config = Readonly<Record<string, unknown>>;

/** generator `configKeyMap` / `optionalKeyMap`: the config.json keys each fact is read from, in order. */
const CONFIG_KEYS = {
  modelTokenLimit: [
    'max_position_embeddings',
    'n_ctx',
    'seq_length',
    'max_seq_len',
    'max_sequence_length',
    'model_max_length',
  ],
  hiddenSize: ['hidden_size', 'n_embd', 'd_model', 'dim'],
  numHiddenLayers: ['num_hidden_layers', 'n_layer', 'n_layers'],
  numAttentionHeads: ['num_attention_heads', 'n_head', 'n_heads'],
  numKeyValueHeads: ['num_key_value_heads', 'n_head_kv', 'n_kv_heads'],
  headDim: ['head_dim', 'attention_head_dim'],
  quantMethod: ['format', 'quant_algo', 'quant_method'],
} as const;

function integer(config: Config, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = config[key];
    if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  }
  return undefined;
}

function isObject(value: unknown): value is Config {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The facts of a model outside the catalog, from its `config.json` and the size of its weights
 * (generator `FetchCatalogEntry`): multimodal configs promote `text_config` / `llm_config`, hybrid
 * models without `num_hidden_layers` count `layers_block_type`, and a missing context falls back to
 * Kaito's 2048.
 */
export function factsFromConfig(
  id: string,
  raw: Config,
  sizeBytes: number,
  rules: Pick<HuggingFaceRules, 'defaultModelTokenLimit'>,
): ModelFacts {
  const nested = isObject(raw['text_config'])
    ? raw['text_config']
    : isObject(raw['llm_config'])
      ? raw['llm_config']
      : {};
  const config: Config = { ...nested, ...raw };
  const architectures = Array.isArray(config['architectures'])
    ? config['architectures'].filter((a): a is string => typeof a === 'string')
    : [];
  const layersBlockType = config['layers_block_type'];
  const facts: ModelFacts = {
    id,
    modelFileSizeGiB: Math.round((sizeBytes / 1024 ** 3) * 100) / 100,
    architectures,
    modelTokenLimit: integer(config, CONFIG_KEYS.modelTokenLimit) ?? rules.defaultModelTokenLimit,
    hiddenSize: integer(config, CONFIG_KEYS.hiddenSize) ?? 0,
    numHiddenLayers:
      integer(config, CONFIG_KEYS.numHiddenLayers) ??
      (Array.isArray(layersBlockType) ? layersBlockType.length : 0),
    numAttentionHeads: integer(config, CONFIG_KEYS.numAttentionHeads) ?? 0,
    numKeyValueHeads: integer(config, CONFIG_KEYS.numKeyValueHeads) ?? 0,
  };
  const headDim = integer(config, CONFIG_KEYS.headDim);
  if (headDim !== undefined && headDim > 0) facts.headDim = headDim;
  const kvLoraRank = integer(config, ['kv_lora_rank']);
  if (kvLoraRank !== undefined && kvLoraRank > 0) facts.kvLoraRank = kvLoraRank;
  const qkRope = integer(config, ['qk_rope_head_dim']);
  if (qkRope !== undefined && qkRope > 0) facts.qkRopeHeadDim = qkRope;
  const quantization = config['quantization_config'];
  if (isObject(quantization)) {
    const method = CONFIG_KEYS.quantMethod
      .map((key) => quantization[key])
      .find((v): v is string => typeof v === 'string' && v !== '');
    if (method !== undefined) facts.quantMethod = method;
    const bits = integer(quantization, ['bits']);
    if (bits !== undefined && bits > 0) facts.quantBits = bits;
  }
  return facts;
}
