/**
 * The legacy preset names of `presets/models.yaml`: the transformers-era images, launch arguments and
 * tuning data that only they carry. An entry with `catalogId` takes its weights, context and Hugging Face
 * ID from the catalog model it names (see `./models.ts`).
 */
import type { FieldReader, Mapping } from './fields.ts';
import type { ModelPreset } from './types.ts';

/** A legacy entry as read; `catalogId` is resolved once the catalog is loaded. */
export interface LegacyPreset {
  preset: ModelPreset;
  catalogId?: string;
}

const MODEL_KEYS = [
  'name',
  'catalogId',
  'huggingFaceId',
  'revision',
  'deprecated',
  'accessMode',
  'requiresHuggingFaceToken',
  'weightsGiB',
  'diskGiB',
  'contextTokens',
  'bytesPerToken',
  'runtimes',
  'distributed',
  'tuning',
  'image',
  'readinessTimeoutMinutes',
] as const;
export function readLegacyPreset(
  fields: FieldReader,
  raw: Mapping,
  path: string,
  registry: string,
): LegacyPreset {
  fields.unknownKeys(raw, path, MODEL_KEYS);
  const name = fields.string(raw, 'name', path);
  const catalogId = fields.string(raw, 'catalogId', path, 'optional');
  const linked = catalogId !== undefined;
  // Facts the catalog model supplies when the entry names one.
  for (const key of ['huggingFaceId', 'weightsGiB', 'contextTokens', 'bytesPerToken', 'distributed']) {
    if (linked && raw[key] !== undefined)
      fields.problem(`${path}.${key}`, `comes from the catalog model ${catalogId}; remove it here`);
  }
  const runtimesRaw = fields.mapping(raw, 'runtimes', path);
  const runtimes: ModelPreset['runtimes'] = {};
  if (!runtimesRaw) {
    if (!linked) fields.problem(`${path}.runtimes`, 'must list at least one of vllm, transformers');
  } else {
    fields.unknownKeys(runtimesRaw, `${path}.runtimes`, ['vllm', 'transformers']);
    const vllm = fields.mapping(runtimesRaw, 'vllm', `${path}.runtimes`);
    if (vllm && linked) {
      fields.problem(`${path}.runtimes.vllm`, `vLLM runs the catalog model ${catalogId}; remove it here`);
    } else if (vllm) {
      const at = `${path}.runtimes.vllm`;
      fields.unknownKeys(vllm, at, ['args', 'loraAdapters']);
      runtimes.vllm = {
        args: fields.flags(vllm, 'args', at),
        loraAdapters: fields.boolean(vllm, 'loraAdapters', at, true),
      };
    }
    const transformers = fields.mapping(runtimesRaw, 'transformers', `${path}.runtimes`);
    if (transformers) {
      const at = `${path}.runtimes.transformers`;
      fields.unknownKeys(transformers, at, ['launcher', 'args', 'worldSize']);
      const launcher = fields.oneOf(transformers, 'launcher', at, ['accelerate', 'torchrun'], 'accelerate');
      runtimes.transformers = { launcher, args: fields.flags(transformers, 'args', at) };
      if (launcher === 'torchrun')
        runtimes.transformers.worldSize = fields.positiveInteger(transformers, 'worldSize', at);
    }
    if (!vllm && !transformers && !linked)
      fields.problem(`${path}.runtimes`, 'must list at least one of vllm, transformers');
  }
  const tuningRaw = fields.mapping(raw, 'tuning', path) ?? {};
  fields.unknownKeys(tuningRaw, `${path}.tuning`, ['supported', 'gpuMemoryGiB']);
  const tuning: ModelPreset['tuning'] = {
    supported: fields.boolean(tuningRaw, 'supported', `${path}.tuning`, false),
  };
  const tuningMemory = fields.positiveNumber(tuningRaw, 'gpuMemoryGiB', `${path}.tuning`, 'optional');
  if (tuningMemory !== undefined) tuning.gpuMemoryGiB = tuningMemory;

  const preset: ModelPreset = {
    name,
    origin: 'legacy',
    servedModelName: name,
    architectures: [],
    deprecated: fields.boolean(raw, 'deprecated', path, false),
    accessMode: fields.oneOf(raw, 'accessMode', path, ['public', 'private'], 'public'),
    requiresHuggingFaceToken: fields.boolean(raw, 'requiresHuggingFaceToken', path, false),
    weightsGiB: linked ? 0 : fields.positiveNumber(raw, 'weightsGiB', path),
    diskGiB: fields.positiveNumber(raw, 'diskGiB', path),
    contextTokens: linked ? 0 : fields.positiveInteger(raw, 'contextTokens', path),
    bytesPerToken: linked ? 0 : fields.positiveInteger(raw, 'bytesPerToken', path),
    kvCacheOffload: true,
    cudaToolkit: false,
    runtimes,
    distributed: fields.boolean(raw, 'distributed', path, false),
    tuning,
    readinessTimeoutMinutes: fields.positiveNumber(raw, 'readinessTimeoutMinutes', path, 30),
  };
  const huggingFaceId = fields.string(raw, 'huggingFaceId', path, 'optional');
  if (huggingFaceId !== undefined) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(huggingFaceId)) {
      fields.problem(`${path}.huggingFaceId`, `"${huggingFaceId}" must look like org/model`);
    }
    preset.huggingFaceId = huggingFaceId;
  }
  const revision = fields.string(raw, 'revision', path, 'optional');
  if (revision !== undefined) preset.revision = revision;
  const image = fields.mapping(raw, 'image', path);
  if (image) {
    fields.unknownKeys(image, `${path}.image`, ['repository', 'tag']);
    const repository =
      fields.string(image, 'repository', `${path}.image`, 'optional') ?? `${registry}/kaito-${name}`;
    preset.image = { repository, tag: fields.string(image, 'tag', `${path}.image`) };
  }
  if (preset.accessMode === 'private' && preset.image) {
    fields.problem(
      `${path}.image`,
      'a private preset has no public image (the user supplies presetOptions.image)',
    );
  }
  if (!linked && !preset.huggingFaceId && !preset.image && preset.accessMode === 'public') {
    fields.problem(
      path,
      'a public preset needs huggingFaceId or image: there is no other way to get its weights',
    );
  }
  if (runtimes.vllm && !preset.huggingFaceId) {
    fields.problem(`${path}.runtimes.vllm`, 'vLLM downloads weights from Hugging Face: set huggingFaceId');
  }
  if (tuning.supported && !preset.image && preset.accessMode === 'public') {
    fields.problem(
      `${path}.tuning.supported`,
      'tuning runs the preset image: set image or mark tuning unsupported',
    );
  }
  return catalogId === undefined ? { preset } : { preset, catalogId };
}
