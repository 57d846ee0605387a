/**
 * `kaito-gitops presets`: the models `inference.preset.name` may name (Kaito v0.12's catalog IDs with the
 * legacy short names that stand for them, and the legacy presets outside the catalog), or, with --skus,
 * the GPU SKUs and their prices that `plan` and `synth` size against, as a text table or JSON.
 */
import { formatGi, formatPrice, type Catalog } from '../catalog/index.ts';
import { EXIT, outputFlag, outputFormat, parseFlags, type CliIO, type Command } from './command.ts';
import { loadCatalog } from './inputs.ts';
import { table, type Column, type Row } from './table.ts';

const usage = `usage: kaito-gitops presets [--presets DIR] [--skus] [--output text|json]

  --presets DIR   catalog directory (default: the presets/ shipped with kaito-gitops)
  --skus          list GPU SKUs with their prices instead of model presets

Any other Hugging Face model ID (org/model) works too: kaito-gitops plan sizes it from the Hub.
  -o, --output    text (default) or json`;

/** One model in `presets --output json`. */
export interface PresetJson {
  name: string;
  shortNames: string[];
  weightsGiB: number;
  contextTokens: number;
  runtimes: string[];
  tuning: boolean;
  toolCallParser: string;
  reasoningParser: string;
  gated: boolean;
  access: string;
  deprecated: boolean;
}

/** One SKU in `presets --skus --output json`. */
export interface SkuJson {
  name: string;
  cloud: string;
  gpus: number;
  gpuModel: string;
  gpuMemoryGiB: number;
  /** Null where the catalog has no price. */
  pricePerHourUsd: number | null;
}

/** Catalog models first (by ID, with their short names), then legacy presets outside the catalog. */
function presetRows(catalog: Catalog): (PresetJson & Row)[] {
  const legacy = catalog.presets.list().filter((p) => p.origin === 'legacy');
  const tunable = new Set(legacy.filter((p) => p.tuning.supported).map((p) => p.huggingFaceId ?? p.name));
  const models = catalog.models.map((m) => {
    const preset = catalog.presets.require(m.facts.id);
    return {
      name: m.facts.id,
      shortNames: [...m.shortNames],
      weightsGiB: m.facts.modelFileSizeGiB,
      contextTokens: m.facts.modelTokenLimit,
      runtimes: Object.keys(preset.runtimes),
      tuning: tunable.has(m.facts.id),
      toolCallParser: String(m.vllmArgs['tool-call-parser'] ?? ''),
      reasoningParser: String(m.vllmArgs['reasoning-parser'] ?? ''),
      gated: m.gated,
      access: 'public',
      deprecated: false,
    };
  });
  const outside = legacy
    .filter(
      (p) => p.huggingFaceId === undefined || !catalog.models.some((m) => m.facts.id === p.huggingFaceId),
    )
    .map((p) => ({
      name: p.name,
      shortNames: [] as string[],
      weightsGiB: p.weightsGiB,
      contextTokens: p.contextTokens,
      runtimes: Object.keys(p.runtimes),
      tuning: p.tuning.supported,
      toolCallParser: String(p.runtimes.vllm?.args['tool-call-parser'] ?? ''),
      reasoningParser: String(p.runtimes.vllm?.args['reasoning-parser'] ?? ''),
      gated: p.requiresHuggingFaceToken,
      access: p.accessMode,
      deprecated: p.deprecated,
    }));
  return [...models, ...outside];
}

function skuRows(catalog: Catalog): (SkuJson & Row)[] {
  return catalog.skus.list().map((s) => ({
    name: s.name,
    cloud: s.cloud,
    gpus: s.gpuCount,
    gpuModel: s.gpuModel,
    gpuMemoryGiB: s.gpuMemoryGiB,
    pricePerHourUsd: s.pricePerHourUsd ?? null,
  }));
}

/** A list cell: `vllm,transformers`. */
const list = (value: Row[string] | undefined): string =>
  Array.isArray(value) ? value.join(',') : String(value);

const PRESET_COLUMNS: Column[] = [
  [
    'NAME',
    (r) =>
      String(r['name']) + (r['deprecated'] ? ' (deprecated)' : r['access'] === 'private' ? ' (private)' : ''),
  ],
  ['SHORT NAMES', (r) => list(r['shortNames']) || '-'],
  ['WEIGHTS', (r) => formatGi(Number(r['weightsGiB']))],
  ['CONTEXT', (r) => String(r['contextTokens'])],
  ['RUNTIMES', (r) => list(r['runtimes'])],
  ['TUNING', (r) => (r['tuning'] ? 'yes' : 'no')],
  ['TOOL CALLS', (r) => String(r['toolCallParser']) || '-'],
  ['REASONING', (r) => String(r['reasoningParser']) || '-'],
  ['HF TOKEN', (r) => (r['gated'] ? 'yes' : 'no')],
];

const SKU_COLUMNS: Column[] = [
  ['NAME', (r) => String(r['name'])],
  ['CLOUD', (r) => String(r['cloud'])],
  ['GPUS', (r) => String(r['gpus'])],
  ['GPU', (r) => String(r['gpuModel'])],
  ['GPU MEMORY', (r) => formatGi(Number(r['gpuMemoryGiB']))],
  ['PRICE', (r) => (r['pricePerHourUsd'] === null ? '-' : formatPrice(Number(r['pricePerHourUsd'])))],
];

export const presets: Command = {
  name: 'presets',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseFlags(args, {
      presets: { type: 'string' },
      skus: { type: 'boolean', default: false },
      ...outputFlag,
    });
    const output = outputFormat(values.output);
    const catalog = await loadCatalog(values.presets, io);
    if (values.skus) {
      const rows = skuRows(catalog);
      if (output === 'json')
        io.stdout(JSON.stringify({ priceSources: catalog.priceSources, skus: rows }, null, 2) + '\n');
      else io.stdout(`${table(rows, SKU_COLUMNS)}\n\nPrices: USD per node-hour. ${catalog.priceSource}\n`);
    } else {
      const rows = presetRows(catalog);
      if (output === 'json') io.stdout(JSON.stringify({ presets: rows }, null, 2) + '\n');
      else io.stdout(`${table(rows, PRESET_COLUMNS)}\n`);
    }
    return EXIT.ok;
  },
};
