/**
 * What the pipeline commands (`synth`, `validate`, `plan`) read before computing anything: the
 * catalog and the source specs. Flags name the places; this is the only code that reads them.
 */
import { resolve } from 'node:path';
import type { SourceFile } from '../api/index.ts';
import { CLOUDS, DEFAULT_PRESETS_DIR, readCatalog, type Catalog, type Cloud } from '../catalog/index.ts';
import { UsageError, errnoCode, type SpecError } from '../errors.ts';
import { errorReport, hydrate, type ErrorReport, type HydrateResult } from '../pipeline.ts';
import { outputFlag, outputFormat, parseFlags, stopSignal, type CliIO } from './command.ts';
import {
  cacheFileFor,
  refreshHuggingFaceCache,
  withCacheFile,
  type CacheRefresh,
} from './huggingface-cache.ts';
import { readSources, type ReadOptions } from './sources.ts';

/** `--presets DIR` and `--cloud`, shared by the pipeline commands. */
export const catalogFlags = {
  presets: { type: 'string' },
  cloud: { type: 'string', default: 'azure' },
} as const;

export function cloudFlag(value: string | undefined): Cloud {
  const cloud = CLOUDS.find((c) => c === (value ?? 'azure'));
  if (cloud === undefined)
    throw new UsageError(`--cloud must be one of ${CLOUDS.join(', ')}, not "${value}"`);
  return cloud;
}

/** The catalog from `--presets DIR`, or the presets shipped with kaito-gitops. */
export async function loadCatalog(presets: string | undefined, io: CliIO): Promise<Catalog> {
  const dir = presets === undefined ? DEFAULT_PRESETS_DIR : resolve(io.cwd, presets);
  try {
    return await readCatalog(dir, io.cacheDir !== undefined ? { cacheDir: io.cacheDir } : {});
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UsageError(`--presets ${presets ?? dir}: no such directory`, { cause: error });
    }
    throw error;
  }
}

export async function loadSpecs(
  paths: readonly string[],
  io: CliIO,
  options: ReadOptions = {},
): Promise<SourceFile[]> {
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
): Promise<{ output: 'text' | 'json'; result: HydrateResult; hub?: CacheRefresh }> {
  const { values, positionals } = parseFlags(args, { ...catalogFlags, ...outputFlag }, true);
  const output = outputFormat(values.output);
  const cloud = cloudFlag(values.cloud);
  const stop = stopSignal(io);
  const files = await loadSpecs(positionals, io, { paths: 'typed' });
  const cacheFile = await cacheFileFor(positionals, io);
  const catalog = await withCacheFile(await loadCatalog(values.presets, io), cacheFile, io);
  stop.check();
  if (!options.sizeFromHub) return { output, result: hydrate(files, { catalog, cloud }) };
  const hub = await refreshHuggingFaceCache(catalog, files, cacheFile, io);
  stop.check();
  return { output, result: hydrate(files, { catalog: hub.catalog, cloud }), hub };
}

/** The flags `validate` and `plan` take, for their usage text. */
export const CHECK_FLAGS_USAGE = `  PATH            spec files or directories of specs
  --presets DIR   catalog directory (default: the presets/ shipped with kaito-gitops)
  --cloud NAME    cloud whose SKUs a Workspace without instanceType is sized against (default: azure)
  -o, --output    text (default) or json`;
