/**
 * Loading `presets/`: `parseCatalog` validates every model and SKU entry (all problems at once, each
 * named by file and field path) and builds the registries; `readCatalog` is the only I/O here.
 *
 * A file holds either models (`models:` plus the shared `registry` and `baseImage`) or the SKUs of one
 * cloud (`cloud:`, `priceSource:`, `skus:`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { compareStrings } from '../api/index.ts';
import { SpecError, type Problem } from '../errors.ts';
import { FieldReader, isMapping, type Mapping } from './fields.ts';
import { createRegistry } from './registry.ts';
import { CLOUDS, type Catalog, type Cloud, type GpuSku, type ModelPreset } from './types.ts';

/** `presets/` at the root of the package, next to `src/`. */
export const DEFAULT_PRESETS_DIR = fileURLToPath(new URL('../../presets/', import.meta.url));

export interface CatalogFile {
  /** Shown in problems, e.g. `presets/models.yaml`. */
  path: string;
  content: string;
}

const MODEL_KEYS = [
  'name',
  'huggingFaceId',
  'revision',
  'deprecated',
  'accessMode',
  'requiresHuggingFaceToken',
  'weightsGiB',
  'diskGiB',
  'contextTokens',
  'bytesPerToken',
  'minGpuCount',
  'totalGpuMemoryGiB',
  'perGpuMemoryGiB',
  'runtimes',
  'distributed',
  'tuning',
  'image',
  'readinessTimeoutMinutes',
] as const;
const SKU_KEYS = [
  'name',
  'gpuCount',
  'gpuMemoryGiB',
  'gpuModel',
  'computeCapability',
  'nvme',
  'pricePerHourUsd',
] as const;

function readModel(fields: FieldReader, raw: Mapping, path: string, registry: string): ModelPreset {
  fields.unknownKeys(raw, path, MODEL_KEYS);
  const name = fields.string(raw, 'name', path);
  const runtimesRaw = fields.mapping(raw, 'runtimes', path);
  const runtimes: ModelPreset['runtimes'] = {};
  if (!runtimesRaw) {
    fields.problem(`${path}.runtimes`, 'must list at least one of vllm, transformers');
  } else {
    fields.unknownKeys(runtimesRaw, `${path}.runtimes`, ['vllm', 'transformers']);
    const vllm = fields.mapping(runtimesRaw, 'vllm', `${path}.runtimes`);
    if (vllm) {
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
    if (!vllm && !transformers)
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
    deprecated: fields.boolean(raw, 'deprecated', path, false),
    accessMode: fields.oneOf(raw, 'accessMode', path, ['public', 'private'], 'public'),
    requiresHuggingFaceToken: fields.boolean(raw, 'requiresHuggingFaceToken', path, false),
    weightsGiB: fields.positiveNumber(raw, 'weightsGiB', path),
    diskGiB: fields.positiveNumber(raw, 'diskGiB', path),
    contextTokens: fields.positiveInteger(raw, 'contextTokens', path),
    bytesPerToken: fields.positiveInteger(raw, 'bytesPerToken', path),
    minGpuCount: fields.positiveInteger(raw, 'minGpuCount', path, 1),
    totalGpuMemoryGiB: fields.positiveNumber(raw, 'totalGpuMemoryGiB', path),
    perGpuMemoryGiB: fields.nonNegativeNumber(raw, 'perGpuMemoryGiB', path, 0),
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
  if (!preset.huggingFaceId && !preset.image && preset.accessMode === 'public') {
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
  return preset;
}

function readSku(fields: FieldReader, raw: Mapping, path: string, cloud: Cloud): GpuSku {
  fields.unknownKeys(raw, path, SKU_KEYS);
  const sku: GpuSku = {
    name: fields.string(raw, 'name', path),
    cloud,
    gpuCount: fields.positiveInteger(raw, 'gpuCount', path),
    gpuMemoryGiB: fields.positiveNumber(raw, 'gpuMemoryGiB', path),
    gpuModel: fields.string(raw, 'gpuModel', path),
    nvme: fields.boolean(raw, 'nvme', path, false),
  };
  const capability = fields.positiveNumber(raw, 'computeCapability', path, 'optional');
  if (capability !== undefined) sku.computeCapability = capability;
  const price = fields.positiveNumber(raw, 'pricePerHourUsd', path, 'optional');
  if (price !== undefined) sku.pricePerHourUsd = price;
  return sku;
}

function list(fields: FieldReader, doc: Mapping, key: string): Mapping[] {
  const raw = doc[key];
  if (!Array.isArray(raw)) {
    fields.problem(key, 'must be a list');
    return [];
  }
  return raw.flatMap((entry, index) => {
    if (isMapping(entry)) return [entry];
    fields.problem(`${key}[${index}]`, 'must be a mapping');
    return [];
  });
}

/** Parses and validates the catalog files; throws one SpecError listing every problem in every file. */
export function parseCatalog(files: readonly CatalogFile[]): Catalog {
  const problems: (Problem & { file?: string })[] = [];
  const report = (file: string, found: readonly Problem[]) =>
    problems.push(...found.map((p) => ({ path: p.path, message: p.message, file })));
  const presets: { preset: ModelPreset; file: string; at: string }[] = [];
  const skus: { sku: GpuSku; file: string; at: string }[] = [];
  const priceSources: Partial<Record<Cloud, string>> = {};
  let baseImage: { value: string; file: string } | undefined;

  for (const file of [...files].sort((a, b) => compareStrings(a.path, b.path))) {
    const fields = new FieldReader();
    const parsed = parseDocument(file.content, { prettyErrors: false });
    if (parsed.errors.length > 0) {
      report(
        file.path,
        parsed.errors.map((e) => ({ path: '', message: `invalid YAML: ${e.message}` })),
      );
      continue;
    }
    const doc: unknown = parsed.toJS();
    if (!isMapping(doc)) {
      report(file.path, [{ path: '', message: 'must be a YAML mapping with models: or skus:' }]);
      continue;
    }
    if ('models' in doc) {
      fields.unknownKeys(doc, '', ['registry', 'baseImage', 'models']);
      const registry = fields.string(doc, 'registry', '');
      const base = fields.mapping(doc, 'baseImage', '');
      if (base) {
        fields.unknownKeys(base, 'baseImage', ['repository', 'tag']);
        const value = `${fields.string(base, 'repository', 'baseImage')}:${fields.string(base, 'tag', 'baseImage')}`;
        if (baseImage) fields.problem('baseImage', `already set in ${baseImage.file}`);
        else baseImage = { value, file: file.path };
      }
      list(fields, doc, 'models').forEach((raw, index) => {
        const at = `models[${index}]`;
        presets.push({ preset: readModel(fields, raw, at, registry), file: file.path, at });
      });
    } else if ('skus' in doc) {
      fields.unknownKeys(doc, '', ['cloud', 'priceSource', 'skus']);
      const cloud = fields.oneOf(doc, 'cloud', '', CLOUDS, 'azure');
      if (doc['cloud'] === undefined) fields.problem('cloud', `must be one of ${CLOUDS.join(', ')}`);
      const entries = list(fields, doc, 'skus').map((raw, index) => {
        const at = `skus[${index}]`;
        const sku = readSku(fields, raw, at, cloud);
        skus.push({ sku, file: file.path, at });
        return sku;
      });
      const source = fields.string(doc, 'priceSource', '', 'optional');
      if (source !== undefined) priceSources[cloud] = source;
      else if (entries.some((s) => s.pricePerHourUsd !== undefined)) {
        fields.problem('priceSource', 'must say where the prices come from and when');
      }
    } else {
      fields.problem('', 'must hold models: or skus:');
    }
    report(file.path, fields.problems);
  }

  const duplicates = (kind: string, entries: { name: string; file: string; at: string }[]) => {
    const seen = new Map<string, string>();
    for (const { name, file, at } of entries) {
      const first = seen.get(name);
      if (first !== undefined && name !== '') {
        report(file, [
          { path: `${at}.name`, message: `duplicate ${kind} name "${name}" (first at ${first})` },
        ]);
      } else seen.set(name, `${file}: ${at}`);
    }
  };
  duplicates(
    'preset',
    presets.map(({ preset, file, at }) => ({ name: preset.name, file, at })),
  );
  duplicates(
    'SKU',
    skus.map(({ sku, file, at }) => ({ name: sku.name, file, at })),
  );
  if (presets.length === 0) problems.push({ path: '', message: 'no models: file among the catalog files' });
  if (!baseImage) problems.push({ path: 'baseImage', message: 'no models: file sets baseImage' });

  if (problems.length > 0) {
    throw new SpecError(
      problems.map(({ path, message, file }) => ({ path: [file, path].filter(Boolean).join(': '), message })),
    );
  }
  const sources = CLOUDS.flatMap((cloud) =>
    priceSources[cloud] ? [`${cloud}: ${priceSources[cloud]}`] : [],
  );
  return {
    presets: createRegistry(
      'preset',
      presets.map((p) => p.preset),
    ),
    skus: createRegistry(
      'SKU',
      skus.map((s) => s.sku),
    ),
    priceSource: sources.join('; '),
    priceSources,
    baseImage: baseImage?.value ?? '',
  };
}

/** Reads every `*.yaml` in `dir` (default: the package's `presets/`) and parses them. */
export async function readCatalog(dir: string = DEFAULT_PRESETS_DIR): Promise<Catalog> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.yaml') || name.endsWith('.yml')).sort();
  const files = await Promise.all(
    names.map(async (name) => ({
      path: `${basename(dir)}/${name}`,
      content: await readFile(join(dir, name), 'utf8'),
    })),
  );
  return parseCatalog(files);
}
