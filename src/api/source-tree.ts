/**
 * A spec directory as every route reads it: `synth`, `validate` and `plan` from disk, `sync` and the sync
 * server's pull-request comments from their clone, `report plan` with the git CLI, `cdk8s synth` through
 * `synth`. They read from different places, so each lists and reads its own way, but which paths they take
 * and what a file that is not YAML text gets is decided here, once, for all of them:
 *
 * - **Spec files**: every `*.yaml` / `*.yml` (any case) at any depth, outside hidden files and directories
 *   (a name starting with `.`). Nothing else under the directory is read.
 * - **Repository files**: the fixed paths under `.kaito-gitops/` ({@link REPOSITORY_FILES}), read at the same
 *   revision as the specs and passed to the pipeline beside them.
 * - A file at one of these paths that is a symbolic link, binary, not UTF-8 or too large is still returned,
 *   marked unreadable (source-file.ts): it fails as a whole and keeps what it produced, instead of looking
 *   deleted. Anything that is neither a regular file nor a link there (a directory, a submodule) is not a file.
 * - Files are in byte order of their path.
 *
 * Paths are relative to the spec directory, `/`-separated.
 */
import { posix } from 'node:path';
import { compareStrings } from './keys.ts';
import type { SourceFile } from './load.ts';
import { sourceFile, sourceLink } from './source-file.ts';

/** The directory of the repository files, beside the specs. */
export const REPOSITORY_DIR = '.kaito-gitops';
/** The models `kaito-gitops plan` sized from the Hugging Face Hub (see catalog's load-huggingface.ts). */
export const HUGGING_FACE_CACHE_FILE = `${REPOSITORY_DIR}/huggingface-models.yaml`;
/** Facts every Workspace of the repository shares (see repository-settings.ts). */
export const SETTINGS_FILE = `${REPOSITORY_DIR}/settings.yaml`;
export const REPOSITORY_FILES: readonly string[] = [HUGGING_FACE_CACHE_FILE, SETTINGS_FILE];

const SPEC_NAME = /\.ya?ml$/i;

/** Is `path` (relative to the spec directory) a spec file's? */
export function isSpecPath(path: string): boolean {
  const parts = path.split('/');
  return SPEC_NAME.test(parts.at(-1) ?? '') && parts.every((part) => part !== '' && !part.startsWith('.'));
}

/** May directory `path` (relative to the spec directory) hold spec files? Walkers skip the others. */
export function mayHoldSpecs(path: string): boolean {
  return path.split('/').every((part) => !part.startsWith('.'));
}

/** What a reader found at a path it takes: a regular file's bytes, or a symbolic link. */
export type SourceEntry = {
  /** What the inventory records (relative to the spec directory; as typed for files named one by one). */
  path: string;
  /** How messages name the file. @default path */
  display?: string;
} & (
  | { link: true }
  | {
      link?: false;
      /** The bytes, possibly cut after the loader's limit + 1. */
      bytes: Uint8Array;
      /** The file's real size, when `bytes` was cut. */
      size?: number;
    }
);

/** The repository files of a spec directory. */
export interface RepositoryFiles {
  /** How messages name the spec directory, for a repository file that is not there (`''`: the root). */
  dir: string;
  /** The repository files that are there, paths as in {@link REPOSITORY_FILES}. */
  files: readonly SourceFile[];
}

/** Everything a route reads from a spec directory at one revision. */
export interface Source {
  /** The spec files, in byte order of path. */
  files: SourceFile[];
  repository: RepositoryFiles;
}

/** The file a reader's entry stands for: a link, or bytes judged by {@link sourceFile}. */
export function entryFile(entry: SourceEntry): SourceFile {
  if (entry.link === true) return sourceLink(entry.path, entry.display);
  return sourceFile(entry.path, entry.bytes, {
    ...(entry.size === undefined ? {} : { size: entry.size }),
    ...(entry.display === undefined ? {} : { display: entry.display }),
  });
}

/** The source of the spec entries and repository entries a reader found, named in messages under `dir`. */
export function sourceOf(
  specs: readonly SourceEntry[],
  repository: readonly SourceEntry[],
  dir: string,
): Source {
  const byPath = (a: SourceFile, b: SourceFile) => compareStrings(a.path, b.path);
  return {
    files: specs.map(entryFile).sort(byPath),
    repository: { dir, files: repository.map(entryFile).sort(byPath) },
  };
}

/** How messages name a file of the spec directory `dir` (as {@link RepositoryFiles.dir}). */
export function underDir(dir: string, path: string): string {
  return posix.join(dir === '' ? '.' : dir, path);
}
