/**
 * What the pipeline commands (`synth`, `validate`, `plan`) read before computing anything: the
 * catalog and the source specs. Flags name the places; this is the only code that reads them.
 */
import type { Source } from '../api/index.ts';
import { UsageError, type SpecError } from '../errors.ts';
import { errorReport, hydrate, type ErrorReport, type HydrateResult, type HydrateStep } from '../pipeline.ts';
import type { TreeLayout } from '../render/index.ts';
import { catalogFlags, cloudFlag, loadCatalog } from './catalog-input.ts';
import { outputFlag, outputFormat, parseFlags, stopSignal, verboseFlag, type CliIO } from './command.ts';
import { refreshHuggingFaceCache, type CacheRefresh } from './huggingface-cache.ts';
import { startProgress } from './progress.ts';
import { readSources, type ReadOptions } from './sources.ts';

export { catalogFlags, cloudFlag, loadCatalog } from './catalog-input.ts';

/** `--flux-units` and `--retire-empty-shards`: how `synth` and `sync` lay out the tree's shards. */
export const layoutFlags = {
  'flux-units': { type: 'boolean', default: false },
  'retire-empty-shards': { type: 'boolean', default: false },
} as const;

export function layoutOf(values: { 'flux-units': boolean; 'retire-empty-shards': boolean }): TreeLayout {
  return {
    ...(values['flux-units'] && { fluxUnits: true }),
    ...(values['retire-empty-shards'] && { retireEmpty: true }),
  };
}

export async function loadSpecs(
  paths: readonly string[],
  io: CliIO,
  options: ReadOptions = {},
): Promise<Source> {
  if (paths.length === 0) throw new UsageError('name at least one spec file or directory');
  return readSources(paths, io.cwd, options);
}

/** Every problem of every failed spec, `file: path: message`, one per line. */
export function reportErrors(errors: readonly SpecError[], io: CliIO): void {
  for (const error of errors) io.stderr(error.message + '\n');
}

/** Refused specs as `--output json` shows them. */
export function errorsJson(errors: readonly SpecError[]): ErrorReport[] {
  return errors.map(errorReport);
}

/**
 * What `validate` and `plan` share: flags (`--presets`, `--cloud`, `--output`, spec paths), the
 * catalog and the specs read, and the pipeline run without writing anything.
 */
export async function checkSpecs(
  args: string[],
  io: CliIO,
  options: { sizeFromHub?: boolean } = {},
): Promise<{ output: 'text' | 'json'; verbose: boolean; result: HydrateResult; hub?: CacheRefresh }> {
  const { values, positionals } = parseFlags(args, { ...catalogFlags, ...outputFlag, ...verboseFlag }, true);
  const output = outputFormat(values.output);
  const verbose = values.verbose;
  const cloud = cloudFlag(values.cloud);
  const stop = stopSignal(io);
  const progress = startProgress(io, 'checking');
  try {
    const source = await loadSpecs(positionals, io, {
      paths: 'typed',
      onProgress: (done, total) => progress.update(done, { total, detail: 'reading specs' }),
    });
    const catalog = await loadCatalog(values.presets, io);
    stop.check();
    const onProgress = (step: HydrateStep, done: number, total: number) =>
      progress.update(done, { total, detail: step });
    const run = (repository: Source['repository']) =>
      hydrate(source.files, { catalog, repository, cloud, onProgress });
    if (!options.sizeFromHub) return { output, verbose, result: run(source.repository) };
    progress.update(0, { detail: 'sizing models from the Hugging Face Hub' });
    const hub = await refreshHuggingFaceCache(catalog, source, io);
    stop.check();
    return { output, verbose, result: run(hub.repository), hub };
  } finally {
    progress.stop();
  }
}

/** The flags `validate` and `plan` take, for their usage text. */
export const CHECK_FLAGS_USAGE = `  PATH            spec files or directories of specs
  --presets DIR   catalog directory (default: the presets/ shipped with kaito-gitops)
  --cloud NAME    cloud whose SKUs a Workspace without instanceType is sized against (default: azure)
  -o, --output    text (default) or json
  --verbose       list every valid workspace (default: past a screenful, only the count)`;
