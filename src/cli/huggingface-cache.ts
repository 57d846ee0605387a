/**
 * The Hugging Face cache file next to the specs (`<spec dir>/.kaito-gitops/huggingface-models.yaml`):
 * the models `plan` sized from the Hub for IDs outside the catalog. Every command that plans reads it, so
 * CI without network, `synth`, `sync` and the agent plan the same way; only `plan` adds to it, and only
 * for the IDs the specs name that neither the catalog nor the file know.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { loadSources, type SourceFile } from '../api/index.ts';
import {
  findPreset,
  formatHuggingFaceCache,
  HUGGING_FACE_CACHE_FILE,
  parseHuggingFaceCache,
  withHuggingFaceCache,
  type Catalog,
  type HuggingFaceCacheEntry,
} from '../catalog/index.ts';
import type { CliIO } from './command.ts';

/** The cache file that belongs to the first spec path (a directory, or the directory of a file). */
export async function cacheFileFor(paths: readonly string[], io: CliIO): Promise<string> {
  const first = resolve(io.cwd, paths[0] ?? '.');
  const info = await stat(first).catch(() => undefined);
  return join(info?.isDirectory() ? first : dirname(first), HUGGING_FACE_CACHE_FILE);
}

function shown(path: string, io: CliIO): string {
  const rel = relative(io.cwd, path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}

/** The catalog with the cache file's models; no file means an empty cache that names where it would be. */
export async function withCacheFile(catalog: Catalog, file: string, io: CliIO): Promise<Catalog> {
  const content = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const path = shown(file, io);
  return withHuggingFaceCache(
    catalog,
    content === undefined ? { path, entries: [] } : parseHuggingFaceCache(content, path),
  );
}

export interface CacheRefresh {
  catalog: Catalog;
  /** One sentence per model the Hub could not size. */
  failures: string[];
  /** True when the Hub did not answer at all (an outside failure: exit 3). */
  unreachable: boolean;
  /** IDs added to the cache file. */
  added: string[];
}

/**
 * Sizes, from the Hub, every Hugging Face ID the specs name that the catalog and the cache do not
 * know, and writes what it learned to the cache file (sorted, byte-stable).
 */
export async function refreshHuggingFaceCache(
  catalog: Catalog,
  files: readonly SourceFile[],
  file: string,
  io: CliIO,
): Promise<CacheRefresh> {
  const wanted = new Set<string>();
  for (const workspace of loadSources(files).workspaces) {
    const name = workspace.inference?.preset?.name;
    if (name === undefined) continue;
    const found = findPreset(catalog, name, workspace.runtime);
    if (found.kind === 'not-cached') wanted.add(found.id);
  }
  const result: CacheRefresh = { catalog, failures: [], unreachable: false, added: [] };
  if (wanted.size === 0) return result;
  // The Hub client is loaded only when there is something to ask it (start-up of every other run).
  const { DEFAULT_HUB_URL, sizeFromHub } = await import('./huggingface-hub.ts');
  const token = io.env['HF_TOKEN'];
  const hubUrl = io.env['HF_ENDPOINT'] ?? DEFAULT_HUB_URL;
  const entries: HuggingFaceCacheEntry[] = [...catalog.huggingFaceCache.entries];
  for (const id of [...wanted].sort()) {
    const sized = await sizeFromHub(id, catalog.huggingFaceRules, { hubUrl, ...(token ? { token } : {}) });
    if (sized.ok) {
      entries.push(sized.entry);
      result.added.push(id);
    } else {
      result.unreachable ||= sized.kind === 'unreachable';
      result.failures.push(
        sized.kind === 'unreachable'
          ? `${sized.message}; size it where the Hub is reachable (kaito-gitops plan) and commit ${catalog.huggingFaceCache.path}`
          : sized.message,
      );
    }
  }
  if (result.added.length > 0) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, formatHuggingFaceCache(entries));
    result.catalog = withHuggingFaceCache(catalog, { path: catalog.huggingFaceCache.path, entries });
  }
  return result;
}
