/**
 * A local bare mirror of one remote repository, kept between passes (fetch, not clone), and the git
 * I/O a pass needs: fetch a branch, read the files under a path at a commit, write a rendered
 * directory as git objects, splice it into a commit's tree, commit, push. No working directory:
 * objects are read and written directly, so a one-workspace change reads and writes a handful of
 * objects.
 *
 * Every object a pass creates is also kept in memory until the push, which sends exactly those in one
 * pack (receive-pack.ts) and stores the rendered directory's objects in the mirror as the same pack:
 * no walk of the trees to find what is new, and no loose file per object on a first push. The
 * directory last pushed is kept too, so the next pass lists the previous tree without reading git.
 * isomorphic-git is not safe for concurrent operations on one repository; callers hold
 * {@link GitMirror.lockAll} around every use.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import git, { Errors, type HttpClient } from 'isomorphic-git';
import type { Source } from '../api/index.ts';
import { authorizationHeader, redactUrl, type CredentialSource } from './credentials.ts';
import { gitHttpClient } from './git-http-client.ts';
import { GitTreeReader, splitPath, type GitFile } from './git-tree-reader.ts';
import { compareEntries, treeContent, type GitBlob, type GitDirectory } from './git-objects.ts';
import { PackStream, packIndex, type ObjectType, type PackObject } from './packfile.ts';
import { receivePack, type PushOutcome } from './receive-pack.ts';
import { withFileLocks, type FileLockOptions } from './file-lock.ts';
import { KeyedLock } from './keyed-lock.ts';

export interface CommitIdentity {
  name: string;
  email: string;
}

export type { PushOutcome } from './receive-pack.ts';
export type { GitFile } from './git-tree-reader.ts';

const locks = new KeyedLock();

export class GitMirror {
  readonly url: string;
  readonly gitdir: string;
  readonly #credentials: CredentialSource;
  readonly #http: HttpClient;
  /** One isomorphic-git cache for the mirror's lifetime: packfile indexes are parsed once. */
  #cache: object = {};
  /** Reads trees and files, keeping what it read (git-tree-reader.ts). */
  readonly #reader: GitTreeReader;
  /** Objects of the rendered directory written since the last push, stored by the push as one pack. */
  #unstored = new Map<string, PackObject>();
  /** Every object created since the last push (directory, spliced trees, commit): what it sends. */
  #pending = new Map<string, PackObject>();
  /** The directory the last successful push carried, for listing it again without reading git. */
  #pushed: GitDirectory | undefined;
  /** The directory this pass is writing. */
  #directory: GitDirectory | undefined;
  /** Deflated objects of this pass: the pack stored in the mirror and the one pushed share them. */
  #deflated = new Map<string, Buffer>();

  private constructor(url: string, gitdir: string, credentials: CredentialSource, http: HttpClient) {
    this.url = url;
    this.gitdir = gitdir;
    this.#credentials = credentials;
    this.#http = http;
    this.#reader = new GitTreeReader(gitdir, this.#cache);
  }

  /** Where the mirror of `url` lives under `cacheDir`: a directory named by a hash of the URL. */
  static gitdirFor(cacheDir: string, url: string): string {
    return join(cacheDir, `${createHash('sha256').update(redactUrl(url)).digest('hex').slice(0, 16)}.git`);
  }

  /**
   * Opens (creating when missing) the mirror of `url` under `cacheDir`. `http` carries the timeouts and
   * the stop signal. @default http a client with the default timeout
   */
  static async open(
    cacheDir: string,
    url: string,
    credentials: CredentialSource,
    http: HttpClient = gitHttpClient(),
  ): Promise<GitMirror> {
    const gitdir = GitMirror.gitdirFor(cacheDir, url);
    await mkdir(gitdir, { recursive: true });
    if (!fs.existsSync(join(gitdir, 'HEAD'))) await git.init({ fs, gitdir, bare: true });
    // The URL itself travels with every call; the refspec is what isomorphic-git's fetch needs to
    // record remote refs. Credentials are never written here.
    await git.setConfig({ fs, gitdir, path: 'remote.origin.url', value: redactUrl(url) });
    await git.setConfig({
      fs,
      gitdir,
      path: 'remote.origin.fetch',
      value: '+refs/heads/*:refs/remotes/origin/*',
    });
    return new GitMirror(url, gitdir, credentials, http);
  }

  /**
   * Runs `task` while no other task, of this process or another one sharing the cache directory, uses
   * any of these mirrors' directories (an in-process queue, then a lock file per mirror).
   */
  static lockAll<T>(
    mirrors: readonly GitMirror[],
    task: () => Promise<T>,
    options: FileLockOptions = {},
  ): Promise<T> {
    const gitdirs = mirrors.map((m) => m.gitdir);
    return locks.runAll(gitdirs, () =>
      withFileLocks(
        gitdirs.map((gitdir) => `${gitdir}.lock`),
        task,
        options,
      ),
    );
  }

  /**
   * Moves the mirror's directory aside (`<gitdir>.damaged-<time>`), for a fresh clone on the next open:
   * what to do with a cache that a killed process or a full disk left half written. Call it holding
   * the lock. Returns where it went.
   */
  async moveAside(now: Date): Promise<string> {
    const aside = `${this.gitdir}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
    await rename(this.gitdir, aside);
    return aside;
  }

  /**
   * Fetches `branch` and returns its tip, or undefined when the remote has no such branch. The tip
   * is kept as the local `refs/heads/<branch>`, which the next fetch offers as "have", so only new
   * objects travel.
   */
  async fetch(branch: string): Promise<string | undefined> {
    const ref = `refs/heads/${branch}`;
    const tip = await this.fetchRef(ref, ref);
    if (tip !== undefined) await git.writeRef({ fs, gitdir: this.gitdir, ref, value: tip, force: true });
    return tip;
  }

  /**
   * Fetches the objects of any remote ref (a pull request's `refs/pull/7/head`, which holds a fork's
   * commits too) and returns its tip, or undefined when the remote has no such ref. No local ref is
   * written; the local ref `have` (a branch the ref grew from) is offered as "have", so only the
   * commits beyond it travel.
   */
  async fetchRef(remoteRef: string, have: string): Promise<string | undefined> {
    try {
      const result = await git.fetch({
        fs,
        http: this.#http,
        gitdir: this.gitdir,
        url: this.url,
        ref: have,
        remoteRef,
        singleBranch: true,
        tags: false,
        headers: authorizationHeader(await this.#credentials()),
        cache: this.#cache,
      });
      return result.fetchHead ?? undefined;
    } catch (error) {
      if (error instanceof Errors.NotFoundError) return undefined;
      throw error;
    }
  }

  /** Whether the clone holds commit `oid`. */
  async hasCommit(oid: string): Promise<boolean> {
    try {
      await git.readCommit({ fs, gitdir: this.gitdir, oid, cache: this.#cache });
      return true;
    } catch (error) {
      if (error instanceof Errors.NotFoundError) return false;
      throw error;
    }
  }

  /** The best common ancestor of two commits of the clone, or undefined when they share none. */
  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const [base] = (await git.findMergeBase({
      fs,
      gitdir: this.gitdir,
      oids: [a, b],
      cache: this.#cache,
    })) as string[];
    return base;
  }

  /** The tree id at `path` (`""` for the root) in `commit`, or undefined when the path is absent. */
  treeAt(commit: string, path: string): Promise<string | undefined> {
    return this.#reader.treeAt(commit, path);
  }

  /** {@link GitTreeReader.readFiles}; the directory this mirror last pushed is listed without reading git. */
  async readFiles(
    oid: string,
    accept: (path: string) => boolean = () => true,
    options: { links?: boolean } = {},
  ): Promise<Map<string, GitFile>> {
    if (this.#pushed?.oid !== oid) return this.#reader.readFiles(oid, accept, options);
    const files = new Map<string, GitFile>();
    for (const [path, blob] of filesOf(this.#pushed)) {
      if (!accept(path)) continue;
      const text = Buffer.from(blob.content).toString('utf8');
      files.set(path, { oid: blob.oid, bytes: blob.content, text, link: false });
    }
    return files;
  }

  /** {@link GitTreeReader.sourceAt}. */
  sourceAt(oid: string | undefined, dir: string): Promise<Source> {
    return this.#reader.sourceAt(oid, dir);
  }

  /**
   * Takes the objects of `directory` that `existing` (the tree it replaces) does not already hold: an
   * unchanged subdirectory has the same id and is skipped whole. They are written to the mirror, as one
   * pack, by the next {@link push}, and sent by it.
   */
  async writeDirectory(directory: GitDirectory, existing: string | undefined): Promise<void> {
    this.#directory = directory;
    await this.#takeDirectory(directory, existing);
  }

  async #takeDirectory(directory: GitDirectory, existing: string | undefined): Promise<void> {
    if (directory.oid === existing) return;
    const old = new Map<string, string>();
    if (existing !== undefined) {
      const { tree } = await git.readTree({ fs, gitdir: this.gitdir, oid: existing, cache: this.#cache });
      for (const entry of tree) old.set(entry.path, entry.oid);
    }
    for (const [name, entry] of directory.entries) {
      if (old.get(name) === entry.oid) continue;
      if (entry.type === 'blob')
        this.#created({ oid: entry.oid, type: 'blob', content: entry.content }, true);
      else await this.#takeDirectory(entry, old.get(name));
    }
    this.#created({ oid: directory.oid, type: 'tree', content: treeContent(directory.entries) }, true);
  }

  /** Records an object this pass created; `unstored` when only the push will write it to the mirror. */
  #created(object: PackObject, unstored = false): void {
    this.#pending.set(object.oid, object);
    if (unstored) this.#unstored.set(object.oid, object);
  }

  /** Records an object just written to the mirror, with its content as git stores it. */
  async #createdFromStore(oid: string): Promise<void> {
    const { type, object } = await git.readObject({
      fs,
      gitdir: this.gitdir,
      oid,
      format: 'content',
      cache: this.#cache,
    });
    if (type !== 'commit' && type !== 'tree' && type !== 'blob') throw new Error(`${oid} is a ${type}`);
    this.#created({ oid, type: type satisfies ObjectType, content: object as Uint8Array });
  }

  /**
   * The root tree of `base` (a commit, or none for a new branch) with the tree at `path` replaced by
   * `oid`; the directories above it are rewritten, everything else is shared.
   */
  async spliceTree(base: string | undefined, path: string, oid: string): Promise<string> {
    const root =
      base === undefined
        ? undefined
        : (await git.readCommit({ fs, gitdir: this.gitdir, oid: base, cache: this.#cache })).commit.tree;
    return this.#splice(root, splitPath(path), oid);
  }

  async #splice(tree: string | undefined, parts: string[], oid: string): Promise<string> {
    const [head, ...rest] = parts;
    if (head === undefined) return oid;
    const entries =
      tree === undefined
        ? []
        : (await git.readTree({ fs, gitdir: this.gitdir, oid: tree, cache: this.#cache })).tree;
    const current = entries.find((e) => e.path === head);
    const child = await this.#splice(current?.type === 'tree' ? current.oid : undefined, rest, oid);
    const next = entries.filter((e) => e.path !== head);
    next.push({ mode: '040000', path: head, oid: child, type: 'tree' });
    next.sort((a, b) => compareEntries(a.path, a.type, b.path, b.type));
    const written = await git.writeTree({ fs, gitdir: this.gitdir, tree: next });
    await this.#createdFromStore(written);
    return written;
  }

  async commit(options: {
    tree: string;
    parent: string | undefined;
    message: string;
    author: CommitIdentity;
    now: Date;
  }): Promise<string> {
    const who = {
      name: options.author.name,
      email: options.author.email,
      timestamp: Math.floor(options.now.getTime() / 1000),
      timezoneOffset: 0,
    };
    const oid = await git.writeCommit({
      fs,
      gitdir: this.gitdir,
      commit: {
        tree: options.tree,
        parent: options.parent === undefined ? [] : [options.parent],
        author: who,
        committer: who,
        message: options.message,
      },
    });
    await this.#createdFromStore(oid);
    return oid;
  }

  /**
   * Pushes `commit` (made on `parent`, undefined for a new branch) to `branch`, sending exactly the
   * objects created since the last push. The remote only takes it as a fast-forward of `parent`; when
   * the branch moved meanwhile the outcome is `rejected` and the caller starts over.
   */
  async push(branch: string, commit: string, parent: string | undefined): Promise<PushOutcome> {
    const ref = `refs/heads/${branch}`;
    const directory = this.#directory;
    try {
      await this.#storeUnstored();
      await git.writeRef({ fs, gitdir: this.gitdir, ref, value: commit, force: true });
      const outcome = await receivePack({
        url: this.url,
        headers: authorizationHeader(await this.#credentials()),
        ref,
        parent,
        commit,
        pack: new PackStream([...this.#pending.values()], this.#deflated),
        http: this.#http,
      });
      if (outcome.ok) this.#pushed = directory;
      return outcome;
    } finally {
      this.#pending = new Map();
      this.#deflated = new Map();
      this.#directory = undefined;
    }
  }

  /** Writes the rendered directory's objects into the mirror as one pack file with its index. */
  async #storeUnstored(): Promise<void> {
    if (this.#unstored.size === 0) return;
    const pack = new PackStream([...this.#unstored.values()], this.#deflated);
    this.#unstored = new Map();
    const dir = join(this.gitdir, 'objects', 'pack');
    await mkdir(dir, { recursive: true });
    // Streamed to a temporary name (the pack's name is its checksum, known at the end); the index goes
    // in last, so a reader never finds an index whose pack is not complete.
    const temporary = join(dir, `tmp-${process.pid}-${Date.now()}.pack`);
    await writeFile(temporary, pack.chunks());
    const name = join(dir, `pack-${pack.checksum}`);
    await rename(temporary, `${name}.pack`);
    await writeFile(`${name}.idx.tmp`, packIndex(pack.entries, pack.checksum));
    await rename(`${name}.idx.tmp`, `${name}.idx`);
  }

  /** Forgets the tip a failed push left on the local branch, so the next fetch offers the remote's. */
  async resetBranch(branch: string, tip: string | undefined): Promise<void> {
    const ref = `refs/heads/${branch}`;
    if (tip === undefined) await git.deleteRef({ fs, gitdir: this.gitdir, ref }).catch(() => undefined);
    else await git.writeRef({ fs, gitdir: this.gitdir, ref, value: tip, force: true });
  }

  async readMessage(commit: string): Promise<string> {
    return (await git.readCommit({ fs, gitdir: this.gitdir, oid: commit, cache: this.#cache })).commit
      .message;
  }
}

/** Path → blob of every file under `directory`, hidden entries skipped (as the reader's listings). */
function filesOf(directory: GitDirectory, prefix = ''): Map<string, GitBlob> {
  const files = new Map<string, GitBlob>();
  for (const [name, entry] of directory.entries) {
    if (name.startsWith('.')) continue;
    if (entry.type === 'blob') files.set(`${prefix}${name}`, entry);
    else for (const [path, blob] of filesOf(entry, `${prefix}${name}/`)) files.set(path, blob);
  }
  return files;
}
