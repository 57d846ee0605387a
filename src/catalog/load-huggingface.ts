/**
 * Reading the Hugging Face side of `presets/`: Kaito v0.12's model catalog (`modelCatalog:`), the rules
 * that turn a model's facts into vLLM arguments (`huggingFaceRules:`), GPU partition profiles
 * (`gpuPartitions:`), and the cache of models `plan` sized from the Hub (`huggingFaceModels:`, the file
 * committed next to the specs). Each reader records problems with field paths and returns a fallback,
 * like the rest of the loader.
 */
import { parseDocument } from 'yaml';
import { HUGGING_FACE_MODEL_ANNOTATION } from '../api/index.ts';
import { SpecError } from '../errors.ts';
import { FieldReader, isMapping, type Mapping } from './fields.ts';
import type { HuggingFaceRules, ModelFacts } from './huggingface-model.ts';
import type {
  CatalogModel,
  FlagValue,
  GpuPartitions,
  HuggingFaceCache,
  HuggingFaceCacheEntry,
} from './types.ts';

const FACT_KEYS = [
  'modelFileSize',
  'architectures',
  'modelTokenLimit',
  'hiddenSize',
  'numHiddenLayers',
  'numAttentionHeads',
  'numKeyValueHeads',
  'headDim',
  'kvLoraRank',
  'qkRopeHeadDim',
  'quantMethod',
  'quantBits',
  'loadFormat',
  'configFormat',
  'tokenizerMode',
] as const;
const CATALOG_KEYS = [
  'id',
  'shortNames',
  'license',
  'pipelineTag',
  'baseModel',
  ...FACT_KEYS,
  'gated',
  'transformers',
  'tuning',
  'vllm',
] as const;

const HF_ID = /^[\w.-]+\/[\w.-]+$/;

function strings(fields: FieldReader, raw: Mapping, key: string, path: string): string[] {
  const value = raw[key];
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
    fields.problem(`${path}.${key}`, 'must be a list of non-empty strings');
    return [];
  }
  return value as string[];
}

function stringMap(fields: FieldReader, raw: Mapping, key: string, path: string): Record<string, string> {
  const value = fields.mapping(raw, key, path) ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && v !== '') out[k] = v;
    else fields.problem(`${path}.${key}.${k}`, 'must be a non-empty string');
  }
  return out;
}

/** `27.31Gi` → 27.31. */
function gibibytes(fields: FieldReader, raw: Mapping, key: string, path: string): number {
  const value = raw[key];
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)Gi$/.exec(value) : null;
  if (!match) {
    fields.problem(`${path}.${key}`, 'must be a size in GiB such as 14.96Gi');
    return 0;
  }
  return Number(match[1]);
}

function readFacts(fields: FieldReader, raw: Mapping, path: string, id: string): ModelFacts {
  const facts: ModelFacts = {
    id,
    modelFileSizeGiB: gibibytes(fields, raw, 'modelFileSize', path),
    architectures: strings(fields, raw, 'architectures', path),
    modelTokenLimit: fields.positiveInteger(raw, 'modelTokenLimit', path),
    hiddenSize: fields.positiveInteger(raw, 'hiddenSize', path),
    numHiddenLayers: fields.positiveInteger(raw, 'numHiddenLayers', path),
    numAttentionHeads: fields.positiveInteger(raw, 'numAttentionHeads', path),
    numKeyValueHeads: fields.positiveInteger(raw, 'numKeyValueHeads', path),
  };
  for (const key of ['headDim', 'kvLoraRank', 'qkRopeHeadDim', 'quantBits'] as const) {
    if (raw[key] !== undefined) facts[key] = fields.positiveInteger(raw, key, path);
  }
  for (const key of ['quantMethod', 'loadFormat', 'configFormat', 'tokenizerMode'] as const) {
    const value = fields.string(raw, key, path, 'optional');
    if (value !== undefined) facts[key] = value;
  }
  return facts;
}

function readId(fields: FieldReader, raw: Mapping, key: string, path: string): string {
  const id = fields.string(raw, key, path);
  if (id !== '' && !HF_ID.test(id)) fields.problem(`${path}.${key}`, `"${id}" must look like org/model`);
  return id;
}

export function readCatalogModel(fields: FieldReader, raw: Mapping, path: string): CatalogModel {
  fields.unknownKeys(raw, path, CATALOG_KEYS);
  const id = readId(fields, raw, 'id', path);
  const vllm = fields.mapping(raw, 'vllm', path) ?? {};
  fields.unknownKeys(vllm, `${path}.vllm`, ['servedModelName', 'args']);
  const model: CatalogModel = {
    facts: readFacts(fields, raw, path, id),
    shortNames: strings(fields, raw, 'shortNames', path),
    gated: fields.boolean(raw, 'gated', path, false),
    tuning: fields.boolean(raw, 'tuning', path, false),
    servedModelName: fields.string(vllm, 'servedModelName', `${path}.vllm`),
    vllmArgs: fields.flags(vllm, 'args', `${path}.vllm`),
  };
  if (raw['transformers'] !== undefined) model.transformers = fields.flags(raw, 'transformers', path);
  return model;
}

export function readRules(fields: FieldReader, raw: Mapping): HuggingFaceRules {
  const at = 'huggingFaceRules';
  const section = (key: string) => fields.mapping(raw, key, at) ?? {};
  const readiness = section('readinessTimeout');
  const reasoning = section('reasoningParser');
  const toolCall = section('toolCallParser');
  const cuda = section('needsCudaToolkit');
  const argsRaw = section('vllmArgsByNamePrefix');
  const vllmArgsByNamePrefix: Record<string, Record<string, FlagValue>> = {};
  for (const prefix of Object.keys(argsRaw)) {
    vllmArgsByNamePrefix[prefix] = fields.flags(argsRaw, prefix, `${at}.vllmArgsByNamePrefix`);
  }
  return {
    systemDiskGiB: fields.positiveNumber(raw, 'systemDiskGiB', at),
    defaultModelTokenLimit: fields.positiveInteger(raw, 'defaultModelTokenLimit', at),
    readinessTimeout: {
      baseMinutes: fields.positiveNumber(readiness, 'baseMinutes', `${at}.readinessTimeout`),
      secondsPerGiB: fields.positiveNumber(readiness, 'secondsPerGiB', `${at}.readinessTimeout`),
      minMinutes: fields.positiveNumber(readiness, 'minMinutes', `${at}.readinessTimeout`),
      maxMinutes: fields.positiveNumber(readiness, 'maxMinutes', `${at}.readinessTimeout`),
    },
    reasoningParser: {
      byNamePrefix: stringMap(fields, reasoning, 'byNamePrefix', `${at}.reasoningParser`),
      byArchitecture: stringMap(fields, reasoning, 'byArchitecture', `${at}.reasoningParser`),
      notFor: strings(fields, reasoning, 'notFor', `${at}.reasoningParser`),
    },
    toolCallParser: {
      byNamePrefix: stringMap(fields, toolCall, 'byNamePrefix', `${at}.toolCallParser`),
      byArchitecture: stringMap(fields, toolCall, 'byArchitecture', `${at}.toolCallParser`),
    },
    chatTemplate: { byNamePrefix: stringMap(fields, section('chatTemplate'), 'byNamePrefix', at) },
    vllmArgsByNamePrefix,
    noKvCacheOffload: strings(fields, raw, 'noKvCacheOffload', at),
    needsCudaToolkit: {
      architectures: strings(fields, cuda, 'architectures', `${at}.needsCudaToolkit`),
      names: strings(fields, cuda, 'names', `${at}.needsCudaToolkit`),
    },
    vllmArchitectures: strings(fields, raw, 'vllmArchitectures', at),
  };
}

export function readPartitions(fields: FieldReader, raw: Mapping): GpuPartitions {
  const at = 'gpuPartitions';
  const profiles = Array.isArray(raw['migProfiles']) ? raw['migProfiles'] : [];
  if (!Array.isArray(raw['migProfiles'])) fields.problem(`${at}.migProfiles`, 'must be a list');
  return {
    migResourcePrefix: fields.string(raw, 'migResourcePrefix', at),
    migProfiles: profiles.flatMap((entry: unknown, index: number) => {
      const path = `${at}.migProfiles[${index}]`;
      if (!isMapping(entry)) {
        fields.problem(path, 'must be a mapping');
        return [];
      }
      fields.unknownKeys(entry, path, ['gpu', 'profiles']);
      return [{ gpu: fields.string(entry, 'gpu', path), profiles: strings(fields, entry, 'profiles', path) }];
    }),
  };
}

/** Writes a model size the way the catalog does: `15.26Gi`. */
export function formatFileSize(gib: number): string {
  return `${gib.toFixed(2)}Gi`;
}

/**
 * The Hugging Face cache file: the facts `plan` read from the Hub for IDs outside the catalog. A broken
 * file is a spec problem naming the file: it is committed next to the specs like them.
 */
export function parseHuggingFaceCache(content: string, path: string): HuggingFaceCache {
  const fields = new FieldReader();
  const parsed = parseDocument(content, { prettyErrors: false });
  const entries: HuggingFaceCacheEntry[] = [];
  const doc: unknown = parsed.errors.length > 0 ? undefined : parsed.toJS();
  if (parsed.errors.length > 0) {
    fields.problem('', `invalid YAML: ${parsed.errors.map((e) => e.message).join('; ')}`);
  } else if (!isMapping(doc) || !Array.isArray(doc['huggingFaceModels'])) {
    fields.problem('huggingFaceModels', 'must be a list');
  } else {
    fields.unknownKeys(doc, '', ['huggingFaceModels']);
    doc['huggingFaceModels'].forEach((raw: unknown, index: number) => {
      const at = `huggingFaceModels[${index}]`;
      if (!isMapping(raw)) return fields.problem(at, 'must be a mapping');
      fields.unknownKeys(raw, at, ['id', 'gated', ...FACT_KEYS]);
      const id = readId(fields, raw, 'id', at);
      entries.push({ facts: readFacts(fields, raw, at, id), gated: fields.boolean(raw, 'gated', at, false) });
    });
  }
  if (fields.problems.length > 0) throw new SpecError(fields.problems, { file: path });
  return { path, entries };
}

/** The value of HUGGING_FACE_MODEL_ANNOTATION: the cached model's facts, compact JSON. */
export function huggingFaceModelAnnotation(entry: HuggingFaceCacheEntry): string {
  return JSON.stringify({ ...(entry.gated ? { gated: true } : {}), ...factsRecord(entry.facts) });
}

function factsRecord(facts: ModelFacts): Record<string, unknown> {
  const record: Record<string, unknown> = {
    id: facts.id,
    modelFileSize: formatFileSize(facts.modelFileSizeGiB),
    architectures: facts.architectures,
  };
  for (const key of FACT_KEYS.slice(2)) {
    const value = facts[key as keyof ModelFacts];
    if (value !== undefined) record[key] = value;
  }
  return record;
}

/** The cache the annotation stands for; a broken annotation is a spec problem on it. */
export function cacheFromAnnotation(value: string): HuggingFaceCache {
  const path = `metadata.annotations[${HUGGING_FACE_MODEL_ANNOTATION}]`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new SpecError([{ path, message: `not JSON: ${(error as Error).message}` }]);
  }
  try {
    return parseHuggingFaceCache(JSON.stringify({ huggingFaceModels: [parsed] }), path);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    // Named by the annotation's field, not as a file.
    throw new SpecError(
      error.problems.map((p) => ({ ...p, path: [path, p.path].filter(Boolean).join(': ') })),
      { cause: error },
    );
  }
}

/** The cache file's text: entries sorted by ID, one fact per line, no timestamps (byte-stable). */
export function formatHuggingFaceCache(entries: readonly HuggingFaceCacheEntry[]): string {
  const sorted = [...entries].sort((a, b) => (a.facts.id.toLowerCase() < b.facts.id.toLowerCase() ? -1 : 1));
  const lines = [
    '# Hugging Face models sized by `kaito-gitops plan` (config.json and the safetensors size from the Hub),',
    '# for model IDs outside the catalog. Commit this file next to the specs: synth, sync, validate and the',
    '# agent read it instead of the network. Re-run `kaito-gitops plan` to add a model.',
    'huggingFaceModels:',
  ];
  for (const { facts, gated } of sorted) {
    lines.push(`  - id: ${facts.id}`);
    if (gated) lines.push('    gated: true');
    for (const [key, value] of Object.entries(factsRecord(facts))) {
      if (key === 'id') continue;
      lines.push(`    ${key}: ${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}`);
    }
  }
  return lines.join('\n') + '\n';
}
