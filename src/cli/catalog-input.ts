/**
 * `--presets DIR` and `--cloud`: the catalog every sizing command reads (the pipeline commands and the
 * agent). A file of its own so the agent reads its catalog without loading the pipeline.
 */
import { resolve } from 'node:path';
import { CLOUDS, DEFAULT_PRESETS_DIR, readCatalog, type Catalog, type Cloud } from '../catalog/index.ts';
import { UsageError, errnoCode } from '../errors.ts';
import type { CliIO } from './command.ts';

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
