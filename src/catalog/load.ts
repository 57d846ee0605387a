/**
 * Loading `presets/`: `parseCatalog` validates every entry (all problems at once, each named by file and
 * field path) and builds the registries; `readCatalog` is the only I/O here.
 *
 * A file holds one of: legacy presets (`models:` plus the shared `registry` and `baseImage`), Kaito's
 * model catalog (`modelCatalog:`), the Hugging Face rules (`huggingFaceRules:`), GPU partition profiles
 * (`gpuPartitions:`), Kaito's default tuning parameters (`tuningDefaults:`), or the SKUs of one cloud
 * (`cloud:`, `priceSource:`, `unlisted:`, `skus:`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { HUGGING_FACE_CACHE_FILE, compareStrings } from '../api/index.ts';
import { SpecError, type Problem } from '../errors.ts';
import { cacheCatalog, readCachedCatalog } from './catalog-cache.ts';
import { FieldReader, isMapping, type Mapping } from './fields.ts';
import { NO_RULES, type HuggingFaceRules } from './huggingface-model.ts';
import { readCatalogModel, readPartitions, readRules } from './load-huggingface.ts';
import { readLegacyPreset, type LegacyPreset } from './load-legacy.ts';
import { readTuningDefault } from './load-tuning-defaults.ts';
import { catalogPreset, linkLegacyPreset } from './models.ts';
import { createRegistry } from './registry.ts';
import {
  CLOUDS,
  type Catalog,
  type CatalogModel,
  type Cloud,
  type GpuPartitions,
  type GpuSku,
  type HuggingFaceCache,
  type ModelPreset,
  type TuningDefault,
} from './types.ts';

/** `presets/` at the root of the package, next to `src/`. */
export const DEFAULT_PRESETS_DIR = fileURLToPath(new URL('../../presets/', import.meta.url));

export interface CatalogFile {
  /** Shown in problems, e.g. `presets/models.yaml`. */
  path: string;
  content: string;
}

/** A catalog file already parsed from YAML (what the catalog cache holds). */
export interface ParsedCatalogFile {
  path: string;
  document: unknown;
}

const SKU_KEYS = [
  'name',
  'gpuCount',
  'gpuMemoryGiB',
  'gpuModel',
  'computeCapability',
  'nvme',
  'pricePerHourUsd',
] as const;

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

/** An entry read from a catalog file, with where it stands (for problems that name it). */
interface Located<T> {
  value: T;
  file: string;
  at: string;
}

/** Everything the catalog files hold, gathered file by file before the checks across files. */
interface Sections {
  presets: Located<LegacyPreset>[];
  models: Located<CatalogModel>[];
  skus: Located<GpuSku>[];
  tuningDefaults: Located<TuningDefault>[];
  priceSources: Partial<Record<Cloud, string>>;
  unlistedSkuPrefixes: Partial<Record<Cloud, readonly string[]>>;
  baseImage?: { value: string; file: string };
  rules?: HuggingFaceRules;
  partitions?: GpuPartitions;
}

type FileProblem = Problem & { file?: string };

/** Parses and validates the catalog files; throws one SpecError listing every problem in every file. */
export function parseCatalog(files: readonly (CatalogFile | ParsedCatalogFile)[]): Catalog {
  const problems: FileProblem[] = [];
  const report = (file: string, found: readonly Problem[]) =>
    problems.push(...found.map((p) => ({ path: p.path, message: p.message, file })));
  const sections: Sections = {
    presets: [],
    models: [],
    skus: [],
    tuningDefaults: [],
    priceSources: {},
    unlistedSkuPrefixes: {},
  };
  for (const file of [...files].sort((a, b) => compareStrings(a.path, b.path))) {
    const parsed = 'document' in file ? file : parseCatalogYaml(file);
    if (!('document' in parsed)) report(file.path, parsed.problems);
    else report(file.path, readCatalogFile(parsed, sections));
  }
  const presets = linkPresets(sections, report);
  problems.push(...missingSections(sections));
  if (problems.length > 0) {
    throw new SpecError(
      problems.map(({ path, message, file }) => ({ path: [file, path].filter(Boolean).join(': '), message })),
    );
  }
  return assemble(sections, presets);
}

/** Reads one file's section into `sections`; returns the file's problems. */
function readCatalogFile(file: ParsedCatalogFile, sections: Sections): Problem[] {
  const doc = file.document;
  if (!isMapping(doc)) return [{ path: '', message: `must be a YAML mapping with one of ${SECTIONS}` }];
  const fields = new FieldReader();
  const located = <T>(key: string, read: (raw: Mapping, at: string) => T): Located<T>[] =>
    list(fields, doc, key).map((raw, index) => {
      const at = `${key}[${index}]`;
      return { value: read(raw, at), file: file.path, at };
    });
  if ('models' in doc) {
    fields.unknownKeys(doc, '', ['registry', 'baseImage', 'models']);
    const registry = fields.string(doc, 'registry', '');
    const base = fields.mapping(doc, 'baseImage', '');
    if (base) {
      fields.unknownKeys(base, 'baseImage', ['repository', 'tag']);
      const value = `${fields.string(base, 'repository', 'baseImage')}:${fields.string(base, 'tag', 'baseImage')}`;
      if (sections.baseImage) fields.problem('baseImage', `already set in ${sections.baseImage.file}`);
      else sections.baseImage = { value, file: file.path };
    }
    sections.presets.push(...located('models', (raw, at) => readLegacyPreset(fields, raw, at, registry)));
  } else if ('modelCatalog' in doc) {
    fields.unknownKeys(doc, '', ['modelCatalog']);
    sections.models.push(...located('modelCatalog', (raw, at) => readCatalogModel(fields, raw, at)));
  } else if ('huggingFaceRules' in doc) {
    fields.unknownKeys(doc, '', ['huggingFaceRules']);
    const raw = fields.mapping(doc, 'huggingFaceRules', '');
    if (raw) sections.rules = readRules(fields, raw);
  } else if ('gpuPartitions' in doc) {
    fields.unknownKeys(doc, '', ['gpuPartitions']);
    const raw = fields.mapping(doc, 'gpuPartitions', '');
    if (raw) sections.partitions = readPartitions(fields, raw);
  } else if ('tuningDefaults' in doc) {
    fields.unknownKeys(doc, '', ['tuningDefaults']);
    sections.tuningDefaults.push(
      ...located('tuningDefaults', (raw, at) => readTuningDefault(fields, raw, at)),
    );
  } else if ('skus' in doc) {
    readSkuFile(fields, doc, file.path, sections);
  } else {
    fields.problem('', `must hold one of ${SECTIONS}`);
  }
  return fields.problems;
}

/** A `skus:` file: one cloud's SKUs, where their prices come from, and which unlisted sizes pass. */
function readSkuFile(fields: FieldReader, doc: Mapping, file: string, sections: Sections): void {
  fields.unknownKeys(doc, '', ['cloud', 'priceSource', 'unlisted', 'skus']);
  const cloud = fields.oneOf(doc, 'cloud', '', CLOUDS, 'azure');
  if (doc['cloud'] === undefined) fields.problem('cloud', `must be one of ${CLOUDS.join(', ')}`);
  const entries = list(fields, doc, 'skus').map((raw, index) => {
    const at = `skus[${index}]`;
    const sku = readSku(fields, raw, at, cloud);
    sections.skus.push({ value: sku, file, at });
    return sku;
  });
  const unlisted = fields.mapping(doc, 'unlisted', '');
  if (unlisted) {
    fields.unknownKeys(unlisted, 'unlisted', ['acceptedPrefixes']);
    const prefixes = unlisted['acceptedPrefixes'];
    if (Array.isArray(prefixes) && prefixes.every((p) => typeof p === 'string' && p !== ''))
      sections.unlistedSkuPrefixes[cloud] = prefixes as string[];
    else fields.problem('unlisted.acceptedPrefixes', 'must be a list of non-empty strings');
  }
  const source = fields.string(doc, 'priceSource', '', 'optional');
  if (source !== undefined) sections.priceSources[cloud] = source;
  else if (entries.some((s) => s.pricePerHourUsd !== undefined)) {
    fields.problem('priceSource', 'must say where the prices come from and when');
  }
}

/**
 * The checks across files: duplicate names, and each legacy preset linked to the catalog model it
 * names. Returns the presets as planning sees them.
 */
function linkPresets(
  sections: Sections,
  report: (file: string, found: readonly Problem[]) => void,
): ModelPreset[] {
  const duplicates = <T>(kind: string, entries: Located<T>[], name: (value: T) => string, field = 'name') => {
    const seen = new Map<string, string>();
    for (const { value, file, at } of entries) {
      const key = name(value);
      const first = seen.get(key);
      if (first !== undefined && key !== '') {
        report(file, [
          { path: `${at}.${field}`, message: `duplicate ${kind} ${field} "${key}" (first at ${first})` },
        ]);
      } else seen.set(key, `${file}: ${at}`);
    }
  };
  duplicates('preset', sections.presets, (legacy) => legacy.preset.name.toLowerCase());
  duplicates('catalog model', sections.models, (model) => model.facts.id.toLowerCase());
  const byId = new Map(sections.models.map(({ value }) => [value.facts.id, value]));
  const linked = sections.presets.map(({ value: legacy, file, at }) => {
    if (legacy.catalogId === undefined) return legacy.preset;
    const model = byId.get(legacy.catalogId);
    if (model) return linkLegacyPreset(legacy.preset, model);
    report(file, [{ path: `${at}.catalogId`, message: `no catalog model "${legacy.catalogId}"` }]);
    return legacy.preset;
  });
  duplicates('SKU', sections.skus, (sku) => sku.name);
  duplicates('tuning default', sections.tuningDefaults, (d) => `${d.method} for ${d.apiVersion}`, 'method');
  return linked;
}

/** What the catalog as a whole must have. */
function missingSections(sections: Sections): FileProblem[] {
  const problems: FileProblem[] = [];
  if (sections.presets.length === 0)
    problems.push({ path: '', message: 'no models: file among the catalog files' });
  if (!sections.baseImage) problems.push({ path: 'baseImage', message: 'no models: file sets baseImage' });
  if (!sections.rules && sections.models.length > 0) {
    problems.push({
      path: '',
      message: 'a modelCatalog: needs a huggingFaceRules: file among the catalog files',
    });
  }
  return problems;
}

function assemble(sections: Sections, presets: readonly ModelPreset[]): Catalog {
  const { priceSources, rules } = sections;
  const sources = CLOUDS.flatMap((cloud) =>
    priceSources[cloud] ? [`${cloud}: ${priceSources[cloud]}`] : [],
  );
  const models = sections.models.map((m) => m.value);
  return {
    presets: createRegistry('preset', [
      ...presets,
      ...models.map((model) => catalogPreset(model, rules ?? NO_RULES)),
    ]),
    skus: createRegistry(
      'SKU',
      sections.skus.map((s) => s.value),
    ),
    priceSource: sources.join('; '),
    priceSources,
    baseImage: sections.baseImage?.value ?? '',
    models,
    huggingFaceRules: rules ?? NO_RULES,
    partitions: sections.partitions ?? { migResourcePrefix: 'nvidia.com/mig-', migProfiles: [] },
    unlistedSkuPrefixes: sections.unlistedSkuPrefixes,
    huggingFaceCache: EMPTY_CACHE,
    tuningDefaults: sections.tuningDefaults.map((d) => d.value),
  };
}

const SECTIONS = 'models:, modelCatalog:, huggingFaceRules:, gpuPartitions:, tuningDefaults: or skus:';

/** No Hugging Face cache file: IDs outside the catalog cannot be sized. */
const EMPTY_CACHE: HuggingFaceCache = { path: HUGGING_FACE_CACHE_FILE, entries: [] };

/** The catalog with the models of a Hugging Face cache file (read next to the specs). */
export function withHuggingFaceCache(catalog: Catalog, cache: HuggingFaceCache): Catalog {
  return { ...catalog, huggingFaceCache: cache };
}

/** One catalog file parsed from YAML, or its YAML errors. */
export function parseCatalogYaml(file: CatalogFile): ParsedCatalogFile | { problems: Problem[] } {
  const parsed = parseDocument(file.content, { prettyErrors: false });
  if (parsed.errors.length > 0) {
    return { problems: parsed.errors.map((e) => ({ path: '', message: `invalid YAML: ${e.message}` })) };
  }
  return { path: file.path, document: parsed.toJS() as unknown };
}

/**
 * Reads every `*.yaml` in `dir` (default: the package's `presets/`) and parses them. With `cacheDir`,
 * the parsed YAML is kept there under the hash of the files' bytes (see catalog-cache.ts); the
 * catalog is validated from it all the same.
 */
export async function readCatalog(
  dir: string = DEFAULT_PRESETS_DIR,
  options: { cacheDir?: string } = {},
): Promise<Catalog> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.yaml') || name.endsWith('.yml')).sort();
  const files = await Promise.all(
    names.map(async (name) => ({
      path: `${basename(dir)}/${name}`,
      content: await readFile(join(dir, name), 'utf8'),
    })),
  );
  const { cacheDir } = options;
  if (cacheDir === undefined) return parseCatalog(files);
  const cached = await readCachedCatalog(cacheDir, files);
  if (cached !== undefined) return parseCatalog(cached);
  const parsed = files.map(parseCatalogYaml);
  const documents = parsed.filter((p): p is ParsedCatalogFile => 'document' in p);
  // Only a catalog whose every file parsed is kept; YAML errors are reported from the files themselves.
  if (documents.length < files.length) return parseCatalog(files);
  await cacheCatalog(cacheDir, files, documents);
  return parseCatalog(documents);
}
