/**
 * Reading a mirror's trees and files, and keeping what was read: trees are immutable, so a listing is
 * kept by tree id (an unchanged subdirectory is never read again) and a blob by blob id (an unchanged
 * file is never read twice), both bounded. Spec directories are read by api's rule for every route
 * (source-tree.ts). Used by {@link GitMirror}, which holds the lock isomorphic-git needs around it.
 */
import * as fs from 'node:fs';
import git from 'isomorphic-git';
import {
  REPOSITORY_FILES,
  isSpecPath,
  sourceOf,
  underDir,
  type Source,
  type SourceEntry,
} from '../api/index.ts';

/** A file read from git: its blob id, bytes and text (UTF-8); `link` for a symbolic link. */
export interface GitFile {
  oid: string;
  bytes: Uint8Array;
  text: string;
  link: boolean;
}

interface Listed {
  oid: string;
  link: boolean;
}

const MAX_CACHED = 50_000;

/** A tree entry as a file or a link (regular or executable file, or symbolic link); else undefined. */
function listed(entry: { oid: string; type: string; mode: string }): Listed | undefined {
  if (entry.type !== 'blob') return undefined;
  if (entry.mode === '100644' || entry.mode === '100755') return { oid: entry.oid, link: false };
  if (entry.mode === '120000') return { oid: entry.oid, link: true };
  return undefined;
}

export function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

export class GitTreeReader {
  readonly #gitdir: string;
  /** isomorphic-git's cache, shared with the mirror: packfile indexes are parsed once. */
  readonly #cache: object;
  readonly #listings = new Map<string, ReadonlyMap<string, Listed>>();
  readonly #blobs = new Map<string, { bytes: Uint8Array; text: string }>();

  constructor(gitdir: string, cache: object) {
    this.#gitdir = gitdir;
    this.#cache = cache;
  }

  /** The tree id at `path` (`""` for the root) in `commit`, or undefined when the path is absent. */
  async treeAt(commit: string, path: string): Promise<string | undefined> {
    const { commit: parsed } = await git.readCommit({
      fs,
      gitdir: this.#gitdir,
      oid: commit,
      cache: this.#cache,
    });
    let oid = parsed.tree;
    for (const part of splitPath(path)) {
      const entry = (await this.#entries(oid)).find((e) => e.path === part);
      if (entry === undefined || entry.type !== 'tree') return undefined;
      oid = entry.oid;
    }
    return oid;
  }

  /**
   * Every regular file under tree `oid` whose path (relative to that tree) passes `accept`, keyed by
   * that path. Hidden entries are skipped; so are symbolic links, unless `links` asks for them (spec
   * files that are links are reported, not followed).
   */
  async readFiles(
    oid: string,
    accept: (path: string) => boolean = () => true,
    options: { links?: boolean } = {},
  ): Promise<Map<string, GitFile>> {
    if (this.#blobs.size > MAX_CACHED) this.#blobs.clear();
    if (this.#listings.size > MAX_CACHED) this.#listings.clear();
    const files = new Map<string, GitFile>();
    for (const [path, entry] of await this.#list(oid)) {
      if (!accept(path) || (entry.link && options.links !== true)) continue;
      files.set(path, { oid: entry.oid, link: entry.link, ...(await this.#readBlob(entry.oid)) });
    }
    return files;
  }

  /**
   * The spec directory whose tree is `oid` (undefined: there is none at this commit), read by api's rule
   * for every route (source-tree.ts): its spec files, links among them included, and the repository
   * files at their fixed paths. `dir` is its path in the repository, which messages name files by.
   */
  async sourceAt(oid: string | undefined, dir: string): Promise<Source> {
    if (oid === undefined) return sourceOf([], [], dir);
    const entry = (path: string, file: { link: boolean; bytes: Uint8Array }): SourceEntry => {
      const display = underDir(dir, path);
      return file.link ? { path, display, link: true } : { path, display, bytes: file.bytes };
    };
    const specs = [...(await this.readFiles(oid, isSpecPath, { links: true }))].map(([path, file]) =>
      entry(path, file),
    );
    const repository: SourceEntry[] = [];
    for (const path of REPOSITORY_FILES) {
      const found = await this.#entryAt(oid, path);
      if (found !== undefined)
        repository.push(entry(path, { ...found, ...(await this.#readBlob(found.oid)) }));
    }
    return sourceOf(specs, repository, dir);
  }

  async #entries(oid: string): Promise<{ path: string; oid: string; type: string; mode: string }[]> {
    return (await git.readTree({ fs, gitdir: this.#gitdir, oid, cache: this.#cache })).tree;
  }

  /** The file or link at `path` under tree `oid` (hidden paths too), or undefined when there is none. */
  async #entryAt(oid: string, path: string): Promise<Listed | undefined> {
    const parts = path.split('/');
    let tree = oid;
    for (const [i, part] of parts.entries()) {
      const found = (await this.#entries(tree)).find((e) => e.path === part);
      if (found === undefined) return undefined;
      if (i === parts.length - 1) return listed(found);
      if (found.type !== 'tree') return undefined;
      tree = found.oid;
    }
    return undefined;
  }

  /** Path → blob of the files and links under tree `oid`, hidden entries skipped; kept by tree id. */
  async #list(oid: string): Promise<ReadonlyMap<string, Listed>> {
    const known = this.#listings.get(oid);
    if (known !== undefined) return known;
    const listing = new Map<string, Listed>();
    for (const entry of await this.#entries(oid)) {
      if (entry.path.startsWith('.')) continue;
      if (entry.type === 'tree') {
        for (const [path, blob] of await this.#list(entry.oid)) listing.set(`${entry.path}/${path}`, blob);
        continue;
      }
      const file = listed(entry);
      if (file !== undefined) listing.set(entry.path, file);
    }
    this.#listings.set(oid, listing);
    return listing;
  }

  async #readBlob(oid: string): Promise<{ bytes: Uint8Array; text: string }> {
    const known = this.#blobs.get(oid);
    if (known !== undefined) return known;
    const { blob } = await git.readBlob({ fs, gitdir: this.#gitdir, oid, cache: this.#cache });
    const read = { bytes: blob, text: Buffer.from(blob).toString('utf8') };
    this.#blobs.set(oid, read);
    return read;
  }
}
