/**
 * Which model a preset name stands for, as Kaito v0.12 decides it (`GetModelByName`): a catalog ID
 * (matched case-insensitively), a legacy short name redirected to its catalog ID, or any other `org/model`
 * ID, sized from the Hugging Face cache. The transformers runtime keeps the legacy preset (its image and
 * launch arguments) where one exists. Also builds the ModelPresets that planning works on from the
 * catalog's facts.
 */
import type { Runtime } from '../api/index.ts';
import {
  bytesPerToken,
  deriveVllmProfile,
  type HuggingFaceRules,
  type ModelFacts,
} from './huggingface-model.ts';
import type { Catalog, CatalogModel, FlagValue, HuggingFaceCacheEntry, ModelPreset } from './types.ts';

function presetFromFacts(
  facts: ModelFacts,
  rules: HuggingFaceRules,
  extra: Pick<ModelPreset, 'origin' | 'requiresHuggingFaceToken'> & {
    servedModelName?: string;
    vllmArgs?: Record<string, FlagValue>;
    transformers?: Record<string, FlagValue>;
    tuning?: boolean;
  },
): ModelPreset {
  const profile = deriveVllmProfile(facts, rules);
  const preset: ModelPreset = {
    name: facts.id,
    origin: extra.origin,
    servedModelName: extra.servedModelName ?? profile.servedModelName,
    architectures: [...facts.architectures],
    huggingFaceId: facts.id,
    deprecated: false,
    accessMode: 'public',
    requiresHuggingFaceToken: extra.requiresHuggingFaceToken,
    weightsGiB: facts.modelFileSizeGiB,
    diskGiB: profile.diskGiB,
    contextTokens: facts.modelTokenLimit,
    bytesPerToken: profile.bytesPerToken,
    kvCacheOffload: profile.kvCacheOffload,
    cudaToolkit: profile.cudaToolkit,
    runtimes: { vllm: { args: extra.vllmArgs ?? profile.args, loraAdapters: true } },
    // Kaito v0.12: every Hugging Face model may span several nodes (SupportDistributedInference).
    distributed: true,
    tuning: { supported: extra.tuning ?? false },
    readinessTimeoutMinutes: profile.readinessTimeoutMinutes,
  };
  if (extra.transformers !== undefined) {
    preset.runtimes.transformers = { launcher: 'accelerate', args: { ...extra.transformers } };
  }
  return preset;
}

export function catalogPreset(model: CatalogModel, rules: HuggingFaceRules): ModelPreset {
  return presetFromFacts(model.facts, rules, {
    origin: 'catalog',
    requiresHuggingFaceToken: model.gated,
    servedModelName: model.servedModelName,
    vllmArgs: model.vllmArgs,
    ...(model.transformers !== undefined ? { transformers: model.transformers } : {}),
    tuning: model.tuning,
  });
}

/** An ID outside the catalog: vLLM only (Kaito runs generic Hugging Face models with vLLM). */
export function huggingFacePreset(entry: HuggingFaceCacheEntry, rules: HuggingFaceRules): ModelPreset {
  return {
    ...presetFromFacts(entry.facts, rules, { origin: 'huggingface', requiresHuggingFaceToken: entry.gated }),
    huggingFace: entry,
  };
}

/** A legacy entry that names a catalog model takes the model's weights, context and Hugging Face ID. */
export function linkLegacyPreset(preset: ModelPreset, model: CatalogModel): ModelPreset {
  return {
    ...preset,
    huggingFaceId: model.facts.id,
    architectures: [...model.facts.architectures],
    requiresHuggingFaceToken: model.gated,
    weightsGiB: model.facts.modelFileSizeGiB,
    contextTokens: model.facts.modelTokenLimit,
    bytesPerToken: bytesPerToken(model.facts),
    distributed: true,
  };
}

export type PresetLookup =
  | { kind: 'found'; preset: ModelPreset }
  /** A Hugging Face ID that is neither in the catalog nor in the cache file. */
  | { kind: 'not-cached'; id: string }
  | { kind: 'unknown' };

function lower(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * The preset `name` stands for under `runtime` (inference) or for tuning. Legacy entries keep the
 * transformers runtime and tuning; everything else runs the catalog model.
 */
export function findPreset(catalog: Catalog, name: string, use: Runtime | 'tuning'): PresetLookup {
  const key = lower(name);
  const presets = catalog.presets.list();
  const legacyByName = presets.find((p) => p.origin === 'legacy' && lower(p.name) === key);
  const model = catalog.models.find(
    (m) => lower(m.facts.id) === key || m.shortNames.some((s) => lower(s) === key),
  );
  const legacy =
    legacyByName ??
    (model
      ? presets.find((p) => p.origin === 'legacy' && lower(p.huggingFaceId ?? '') === lower(model.facts.id))
      : undefined);
  const catalogEntry = model
    ? presets.find((p) => p.origin === 'catalog' && p.name === model.facts.id)
    : undefined;
  if (use === 'tuning') return legacy ? { kind: 'found', preset: legacy } : { kind: 'unknown' };
  if (use === 'transformers' && legacy?.runtimes.transformers) return { kind: 'found', preset: legacy };
  if (catalogEntry) return { kind: 'found', preset: catalogEntry };
  if (legacy) return { kind: 'found', preset: legacy };
  if (!key.includes('/')) return { kind: 'unknown' };
  const cached = catalog.huggingFaceCache.entries.find((e) => lower(e.facts.id) === key);
  if (!cached) return { kind: 'not-cached', id: name.trim() };
  return { kind: 'found', preset: huggingFacePreset(cached, catalog.huggingFaceRules) };
}
