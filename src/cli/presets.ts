/**
 * `kaito-gitops presets`: the model presets (or, with --skus, the GPU SKUs and their prices) that
 * `plan` and `synth` size against, as a text table or JSON.
 */
import { formatGi, formatPrice, type Catalog } from '../catalog/index.ts';
import { EXIT, outputFlag, outputFormat, parseFlags, type CliIO, type Command } from './command.ts';
import { loadCatalog } from './inputs.ts';
import { table, type Column, type Row } from './table.ts';

const usage = `usage: kaito-gitops presets [--presets DIR] [--skus] [--output text|json]

  --presets DIR   catalog directory (default: the presets/ shipped with kaito-gitops)
  --skus          list GPU SKUs with their prices instead of model presets
  -o, --output    text (default) or json`;

function presetRows(catalog: Catalog): Row[] {
  return catalog.presets.list().map((p) => ({
    name: p.name,
    weightsGiB: p.weightsGiB,
    contextTokens: p.contextTokens,
    runtimes: Object.keys(p.runtimes).join(','),
    tuning: p.tuning.supported,
    distributed: p.distributed,
    minGpuMemoryGiB: p.totalGpuMemoryGiB,
    access: p.accessMode,
    deprecated: p.deprecated,
  }));
}

function skuRows(catalog: Catalog): Row[] {
  return catalog.skus.list().map((s) => ({
    name: s.name,
    cloud: s.cloud,
    gpus: s.gpuCount,
    gpuModel: s.gpuModel,
    gpuMemoryGiB: s.gpuMemoryGiB,
    pricePerHourUsd: s.pricePerHourUsd ?? null,
  }));
}

const PRESET_COLUMNS: Column[] = [
  [
    'NAME',
    (r) =>
      String(r['name']) + (r['deprecated'] ? ' (deprecated)' : r['access'] === 'private' ? ' (private)' : ''),
  ],
  ['WEIGHTS', (r) => formatGi(Number(r['weightsGiB']))],
  ['CONTEXT', (r) => String(r['contextTokens'])],
  ['RUNTIMES', (r) => String(r['runtimes'])],
  ['TUNING', (r) => (r['tuning'] ? 'yes' : 'no')],
  ['DISTRIBUTED', (r) => (r['distributed'] ? 'yes' : 'no')],
  ['MIN GPU MEMORY', (r) => formatGi(Number(r['minGpuMemoryGiB']))],
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
  summary: 'List the model presets (or GPU SKUs with prices) that plans are sized against',
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
