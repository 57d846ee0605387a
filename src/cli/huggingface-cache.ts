/**
 * The Hugging Face cache file next to the specs (`<spec dir>/.kaito-gitops/huggingface-models.yaml`): the
 * models `plan` sized from the Hub for IDs outside the catalog. It is a repository file (api's
 * source-tree.ts): every route reads it beside the specs and `hydrate` plans with it, so CI without network,
 * `synth`, `sync`, pull-request comments and the agent plan the same way. Only `plan` adds to it, and only
 * for the IDs the specs name that neither the catalog nor the file know.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  HUGGING_FACE_CACHE_FILE,
  loadSources,
  underDir,
  type RepositoryFiles,
  type Source,
} from '../api/index.ts';
import {
  findPreset,
  formatHuggingFaceCache,
  type Catalog,
  type HuggingFaceCacheEntry,
} from '../catalog/index.ts';
import { readRepository } from '../pipeline-settings.ts';
import type { CliIO } from './command.ts';

export interface CacheRefresh {
  /** The repository files with the cache file as written. */
  repository: RepositoryFiles;
  /** One sentence per model the Hub could not size. */
  failures: string[];
  /** True when the Hub did not answer at all (an outside failure: exit 3). */
  unreachable: boolean;
  /** IDs added to the cache file. */
  added: string[];
}

/**
 * Sizes, from the Hub, every Hugging Face ID the specs name that the catalog and the cache do not
 * know, and writes what it learned to the cache file of the source's spec directory (sorted,
 * byte-stable). A repository file with problems is left to `hydrate` to report.
 */
export async function refreshHuggingFaceCache(
  catalog: Catalog,
  source: Source,
  io: CliIO,
): Promise<CacheRefresh> {
  const result: CacheRefresh = { repository: source.repository, failures: [], unreachable: false, added: [] };
  const reading = readRepository(catalog, source.repository);
  if (!reading.ok) return result;
  const known = reading.settings.catalog;
  const wanted = new Set<string>();
  for (const workspace of loadSources(source.files).workspaces) {
    const name = workspace.inference?.preset?.name;
    if (name === undefined) continue;
    const found = findPreset(known, name, workspace.runtime);
    if (found.kind === 'not-cached') wanted.add(found.id);
  }
  if (wanted.size === 0) return result;
  // The Hub client is loaded only when there is something to ask it (start-up of every other run).
  const { DEFAULT_HUB_URL, sizeFromHub } = await import('./huggingface-hub.ts');
  const token = io.env['HF_TOKEN'];
  const hubUrl = io.env['HF_ENDPOINT'] ?? DEFAULT_HUB_URL;
  const entries: HuggingFaceCacheEntry[] = [...known.huggingFaceCache.entries];
  for (const id of [...wanted].sort()) {
    const sized = await sizeFromHub(id, catalog.huggingFaceRules, { hubUrl, ...(token ? { token } : {}) });
    if (sized.ok) {
      entries.push(sized.entry);
      result.added.push(id);
    } else {
      result.unreachable ||= sized.kind === 'unreachable';
      result.failures.push(
        sized.kind === 'unreachable'
          ? `${sized.message}; size it where the Hub is reachable (kaito-gitops plan) and commit ${known.huggingFaceCache.path}`
          : sized.message,
      );
    }
  }
  if (result.added.length > 0) {
    const { dir } = source.repository;
    const content = formatHuggingFaceCache(entries);
    const file = resolve(io.cwd, dir, HUGGING_FACE_CACHE_FILE);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    result.repository = {
      dir,
      files: [
        ...source.repository.files.filter((f) => f.path !== HUGGING_FACE_CACHE_FILE),
        { path: HUGGING_FACE_CACHE_FILE, display: underDir(dir, HUGGING_FACE_CACHE_FILE), content },
      ],
    };
  }
  return result;
}
