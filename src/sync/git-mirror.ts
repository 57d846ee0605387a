/**
 * A local bare mirror of one remote repository, kept between passes (fetch, not clone), and the git
 * I/O a pass needs: fetch a branch, read the files under a path at a commit, write a rendered
 * directory as git objects, splice it into a commit's tree, commit, push. No working directory:
 * objects are read and written directly, so a one-workspace change reads and writes a handful of
 * objects. isomorphic-git is not safe for concurrent operations on one repository; callers hold
 * {@link GitMirror.lock} around every use.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import git, { Errors, type HttpClient } from 'isomorphic-git';
import { authorizationHeader, redactUrl, type CredentialSource } from './credentials.ts';
import { gitHttpClient } from './git-http-client.ts';
import { compareEntries, type GitDirectory } from './git-objects.ts';
import { withFileLocks, type FileLockOptions } from './file-lock.ts';
import { KeyedLock } from './keyed-lock.ts';

/** A file read from git: its blob id, bytes and text (UTF-8); `link` for a symbolic link. */
export interface GitFile {
  oid: string;
  bytes: Uint8Array;
  text: string;
  link: boolean;
}

export interface CommitIdentity {
  name: string;
  email: string;
}

/** What a rejected or failed push means for the caller. */
export type PushOutcome = { ok: true } | { ok: false; reason: 'rejected'; detail: string };

interface Listed {
  oid: string;
  link: boolean;
}

const locks = new KeyedLock();
const MAX_CACHED_BLOBS = 50_000;

export class GitMirror {
  readonly url: string;
  readonly gitdir: string;
  readonly #credentials: CredentialSource;
  readonly #http: HttpClient;
  /** One isomorphic-git cache for the mirror's lifetime: packfile indexes are parsed once. */
  #cache: object = {};
  /** Tree listings by id (see #list). */
  #listings = new Map<string, ReadonlyMap<string, Listed>>();
  /** Blobs by id: unchanged files are never read twice. Cleared when it grows past a bound. */
  #blobs = new Map<string, { bytes: Uint8Array; text: string }>();

  private constructor(url: string, gitdir: string, credentials: CredentialSource, http: HttpClient) {
    this.url = url;
    this.gitdir = gitdir;
    this.#credentials = credentials;
    this.#http = http;
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
  async treeAt(commit: string, path: string): Promise<string | undefined> {
    const { commit: parsed } = await git.readCommit({
      fs,
      gitdir: this.gitdir,
      oid: commit,
      cache: this.#cache,
    });
    let oid = parsed.tree;
    for (const part of splitPath(path)) {
      const { tree } = await git.readTree({ fs, gitdir: this.gitdir, oid, cache: this.#cache });
      const entry = tree.find((e) => e.path === part);
      if (entry === undefined || entry.type !== 'tree') return undefined;
      oid = entry.oid;
    }
    return oid;
  }

  /**
   * Every regular file under tree `oid` whose name passes `accept`, keyed by its path relative to that
   * tree. Hidden entries are skipped; so are symbolic links, unless `links` asks for them (spec files
   * that are links are reported, not followed).
   */
  async readFiles(
    oid: string,
    accept: (name: string) => boolean = () => true,
    options: { links?: boolean } = {},
  ): Promise<Map<string, GitFile>> {
    if (this.#blobs.size > MAX_CACHED_BLOBS) this.#blobs.clear();
    if (this.#listings.size > MAX_CACHED_BLOBS) this.#listings.clear();
    const files = new Map<string, GitFile>();
    for (const [path, entry] of await this.#list(oid)) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      if (!accept(name) || (entry.link && options.links !== true)) continue;
      files.set(path, { oid: entry.oid, link: entry.link, ...(await this.#readBlob(entry.oid)) });
    }
    return files;
  }

  /** The text of the file at `path` under tree `oid` (hidden paths too), or undefined when there is none. */
  async readFileAt(oid: string, path: string): Promise<string | undefined> {
    try {
      const { blob } = await git.readBlob({
        fs,
        gitdir: this.gitdir,
        oid,
        filepath: path,
        cache: this.#cache,
      });
      return Buffer.from(blob).toString('utf8');
    } catch (error) {
      if (error instanceof Errors.NotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * Path → blob of the files and links under tree `oid`, hidden entries skipped. Trees are immutable,
   * so listings are kept by id: an unchanged subdirectory is never read again.
   */
  async #list(oid: string): Promise<ReadonlyMap<string, Listed>> {
    const known = this.#listings.get(oid);
    if (known !== undefined) return known;
    const listing = new Map<string, Listed>();
    const { tree } = await git.readTree({ fs, gitdir: this.gitdir, oid, cache: this.#cache });
    for (const entry of tree) {
      if (entry.path.startsWith('.')) continue;
      if (entry.type === 'tree') {
        for (const [path, blob] of await this.#list(entry.oid)) listing.set(`${entry.path}/${path}`, blob);
      } else if (entry.type === 'blob' && (entry.mode === '100644' || entry.mode === '100755')) {
        listing.set(entry.path, { oid: entry.oid, link: false });
      } else if (entry.type === 'blob' && entry.mode === '120000') {
        listing.set(entry.path, { oid: entry.oid, link: true });
      }
    }
    this.#listings.set(oid, listing);
    return listing;
  }

  async #readBlob(oid: string): Promise<{ bytes: Uint8Array; text: string }> {
    const known = this.#blobs.get(oid);
    if (known !== undefined) return known;
    const { blob } = await git.readBlob({ fs, gitdir: this.gitdir, oid, cache: this.#cache });
    const read = { bytes: blob, text: Buffer.from(blob).toString('utf8') };
    this.#blobs.set(oid, read);
    return read;
  }

  /**
   * Writes the objects of `directory` that `existing` (the tree it replaces) does not already hold:
   * an unchanged subdirectory has the same id and is skipped whole.
   */
  async writeDirectory(directory: GitDirectory, existing: string | undefined): Promise<void> {
    if (directory.oid === existing) return;
    const old = new Map<string, string>();
    if (existing !== undefined) {
      const { tree } = await git.readTree({ fs, gitdir: this.gitdir, oid: existing, cache: this.#cache });
      for (const entry of tree) old.set(entry.path, entry.oid);
    }
    for (const [name, entry] of directory.entries) {
      if (old.get(name) === entry.oid) continue;
      if (entry.type === 'blob') {
        const oid = await git.writeBlob({ fs, gitdir: this.gitdir, blob: entry.content });
        if (oid !== entry.oid) throw new Error(`blob ${name}: git wrote ${oid}, expected ${entry.oid}`);
        this.#blobs.set(oid, { bytes: entry.content, text: Buffer.from(entry.content).toString('utf8') });
      } else {
        await this.writeDirectory(entry, old.get(name));
      }
    }
    const written = await git.writeTree({
      fs,
      gitdir: this.gitdir,
      tree: [...directory.entries].map(([name, entry]) => ({
        mode: entry.type === 'tree' ? '040000' : '100644',
        path: name,
        oid: entry.oid,
        type: entry.type,
      })),
    });
    if (written !== directory.oid) throw new Error(`tree: git wrote ${written}, expected ${directory.oid}`);
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
    return git.writeTree({ fs, gitdir: this.gitdir, tree: next });
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
    return git.writeCommit({
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
  }

  /**
   * Pushes `commit` to `branch`. The remote only takes it as a fast-forward of the tip it advertised;
   * when the branch moved meanwhile the outcome is `rejected` and the caller starts over.
   */
  async push(branch: string, commit: string): Promise<PushOutcome> {
    const ref = `refs/heads/${branch}`;
    await git.writeRef({ fs, gitdir: this.gitdir, ref, value: commit, force: true });
    try {
      const result = await git.push({
        fs,
        http: this.#http,
        gitdir: this.gitdir,
        url: this.url,
        ref,
        remoteRef: ref,
        headers: authorizationHeader(await this.#credentials()),
        cache: this.#cache,
      });
      const status = result.refs[ref];
      if (result.ok && status?.ok !== false) return { ok: true };
      return { ok: false, reason: 'rejected', detail: status?.error ?? result.error ?? 'push not accepted' };
    } catch (error) {
      // A remote that moved ahead of us: PushRejectedError, or NotFoundError in the isomorphic-git
      // releases that failed to look up the unknown remote tip (isomorphic-git#2421).
      // GitPushError: the server refused the ref update itself (its tip moved after it advertised it).
      if (
        error instanceof Errors.PushRejectedError ||
        error instanceof Errors.NotFoundError ||
        error instanceof Errors.GitPushError
      ) {
        return { ok: false, reason: 'rejected', detail: error.message };
      }
      throw error;
    }
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

function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}
