/**
 * The repository files beside the specs (`.kaito-gitops/`, see api's source-tree.ts) → what `hydrate` plans
 * every Workspace of the source with: the catalog with the models of the Hugging Face cache file, and the
 * settings file's facts about the cluster. Every route
 * reads these files at the same revision as the specs and passes them to `hydrate`, so they all plan alike.
 * A problem in one of them is a SpecError naming the file; since such a file concerns every Workspace,
 * `hydrate` then keeps the whole previous tree.
 */
import {
  DEFAULT_REPOSITORY_SETTINGS,
  HUGGING_FACE_CACHE_FILE,
  SETTINGS_FILE,
  parseRepositorySettings,
  underDir,
  type NodeSource,
  type RepositoryFiles,
  type SourceFile,
} from './api/index.ts';
import { parseHuggingFaceCache, withHuggingFaceCache, type Catalog } from './catalog/index.ts';
import { SpecError } from './errors.ts';

export interface RepositorySettings {
  /** The catalog with the Hugging Face cache file's models. */
  catalog: Catalog;
  /** Who makes the GPU nodes (the settings file's `nodes`). */
  nodes: NodeSource;
}

export type RepositoryReading =
  { ok: true; settings: RepositorySettings } | { ok: false; errors: SpecError[] };

/** Reads the repository files of `repository`; with none given, plans with `catalog` as it is. */
export function readRepository(catalog: Catalog, repository: RepositoryFiles | undefined): RepositoryReading {
  if (repository === undefined) return { ok: true, settings: { catalog, ...DEFAULT_REPOSITORY_SETTINGS } };
  const errors: SpecError[] = [];
  const read = <T>(path: string, parse: (file: SourceFile, shown: string) => T): T | undefined => {
    const file = repository.files.find((f) => f.path === path);
    if (file === undefined) return undefined;
    const shown = file.display ?? underDir(repository.dir, path);
    if (file.unreadable !== undefined) {
      errors.push(new SpecError([{ path: '', message: file.unreadable }], { file: shown }));
      return undefined;
    }
    try {
      return parse(file, shown);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      errors.push(error);
      return undefined;
    }
  };
  const cache = read(HUGGING_FACE_CACHE_FILE, (file, shown) =>
    parseHuggingFaceCache(file.content, shown),
  ) ?? {
    path: underDir(repository.dir, HUGGING_FACE_CACHE_FILE),
    entries: [],
  };
  const settings =
    read(SETTINGS_FILE, (file, shown) => parseRepositorySettings(file.content, shown)) ??
    DEFAULT_REPOSITORY_SETTINGS;
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, settings: { catalog: withHuggingFaceCache(catalog, cache), ...settings } };
}
