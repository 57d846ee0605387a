/**
 * One bare clone per remote in the work dir, read and written at the object level with
 * isomorphic-git: no checkout, so a pass reads exactly the files of one commit under one path (nothing
 * else leaks in) and writes a new tree by rewriting only the directories that changed. Kept between
 * passes, so each pass fetches what is new instead of cloning. isomorphic-git is not safe for
 * concurrent operations on one directory: callers serialize (see keyed-mutex.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import git, { Errors, type AuthCallback, type TreeEntry } from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import type { GitCredentials } from './types.ts';

const REMOTE = 'origin';
const FILE_MODE = '100644';
const TREE_MODE = '040000';

export interface Identity {
  name: string;
  email: string;
}

/** Thrown when the remote branch moved while we worked: fetch, re-render, retry. */
export class PushConflict extends Error {
  override name = 'PushConflict';
}

export class GitStore {
  readonly url: string;
  readonly gitdir: string;
  /** Shared packfile cache: parsing packs per call is what makes isomorphic-git slow. */
  private cache: object = {};
  private readonly onAuth: AuthCallback | undefined;
  /** Blob contents by oid: immutable, so safe to keep across passes. */
  private readonly blobs = new Map<string, string>();

  private constructor(url: string, gitdir: string, credentials: GitCredentials | undefined) {
    this.url = url;
    this.gitdir = gitdir;
    this.onAuth = credentials && (() => ({ username: credentials.username, password: credentials.password }));
  }

  /** Opens (or creates) the bare clone of `url` under `workDir`. */
  static async open(workDir: string, url: string, credentials?: GitCredentials): Promise<GitStore> {
    const name = createHash('sha256').update(url).digest('hex').slice(0, 16);
    const gitdir = join(workDir, `${name}.git`);
    const store = new GitStore(url, gitdir, credentials);
    if (!fs.existsSync(join(gitdir, 'HEAD'))) {
      await fs.promises.mkdir(gitdir, { recursive: true });
      await git.init({ fs, gitdir, bare: true, defaultBranch: 'kaito-gitops' });
    }
    await git.setConfig({ fs, gitdir, path: `remote.${REMOTE}.url`, value: url });
    await git.setConfig({
      fs,
      gitdir,
      path: `remote.${REMOTE}.fetch`,
      value: `+refs/heads/*:refs/remotes/${REMOTE}/*`,
    });
    return store;
  }

  /** Branch name → commit oid on the remote, for the branches asked for (absent when missing). */
  async remoteBranches(branches: readonly string[]): Promise<Map<string, string>> {
    const refs = await git.listServerRefs({
      http,
      url: this.url,
      prefix: 'refs/heads/',
      onAuth: this.onAuth,
    });
    const found = new Map<string, string>();
    for (const ref of refs) {
      const branch = ref.ref.slice('refs/heads/'.length);
      if (branches.includes(branch)) found.set(branch, ref.oid);
    }
    return found;
  }

  /** Makes `oid` (the tip of `branch` on the remote) available locally; fetches only when it is not. */
  async ensureCommit(branch: string, oid: string): Promise<void> {
    if (await this.hasObject(oid)) return;
    await git.fetch({
      fs,
      http,
      gitdir: this.gitdir,
      remote: REMOTE,
      ref: branch,
      remoteRef: branch,
      singleBranch: true,
      tags: false,
      onAuth: this.onAuth,
      cache: this.cache,
    });
    if (!(await this.hasObject(oid))) {
      // The branch moved again between listing and fetching; the fetched tip is newer and is what the
      // next attempt will see. Fail this one as a conflict so it starts over.
      throw new PushConflict(`branch ${branch} moved while fetching`);
    }
  }

  async commitMessage(oid: string): Promise<string> {
    const { commit } = await git.readCommit({ fs, gitdir: this.gitdir, oid, cache: this.cache });
    return commit.message;
  }

  async treeOf(commit: string): Promise<string> {
    const { commit: c } = await git.readCommit({ fs, gitdir: this.gitdir, oid: commit, cache: this.cache });
    return c.tree;
  }

  /**
   * The regular files under `path` at `commit`, paths relative to `path`, whose names `accept`s.
   * Hidden entries, symbolic links and submodules are skipped. Undefined when `path` is not a directory.
   */
  async readDirectory(
    commit: string,
    path: string,
    accept: (name: string) => boolean,
  ): Promise<Map<string, string> | undefined> {
    const start = await this.subtree(await this.treeOf(commit), path);
    if (start === undefined) return undefined;
    const files = new Map<string, string>();
    const walk = async (oid: string, prefix: string): Promise<void> => {
      for (const entry of await this.entries(oid)) {
        if (entry.path.startsWith('.')) continue;
        const at = prefix === '' ? entry.path : `${prefix}/${entry.path}`;
        if (entry.type === 'tree') await walk(entry.oid, at);
        else if (entry.type === 'blob' && entry.mode !== '120000' && accept(entry.path)) {
          files.set(at, await this.blob(entry.oid));
        }
      }
    };
    await walk(start, '');
    return files;
  }

  /** The contents of the given files under `path` at `commit` (missing ones are left out). */
  async readFiles(commit: string, path: string, files: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const root = await this.subtree(await this.treeOf(commit), path);
    if (root === undefined) return found;
    const trees = new Map<string, Promise<TreeEntry[] | undefined>>();
    const dirEntries = (dir: string): Promise<TreeEntry[] | undefined> => {
      let pending = trees.get(dir);
      if (pending === undefined) {
        pending = (async () => {
          if (dir === '') return this.entries(root);
          const slash = dir.lastIndexOf('/');
          const parent = await dirEntries(slash < 0 ? '' : dir.slice(0, slash));
          const entry = parent?.find((e) => e.path === dir.slice(slash + 1) && e.type === 'tree');
          return entry === undefined ? undefined : this.entries(entry.oid);
        })();
        trees.set(dir, pending);
      }
      return pending;
    };
    for (const file of files) {
      const slash = file.lastIndexOf('/');
      const entries = await dirEntries(slash < 0 ? '' : file.slice(0, slash));
      const entry = entries?.find((e) => e.path === file.slice(slash + 1) && e.type === 'blob');
      if (entry !== undefined) found.set(file, await this.blob(entry.oid));
    }
    return found;
  }

  /**
   * A new root tree: `base` (undefined for an empty branch) with the files of `changes` under `path`
   * replaced (string) or deleted (null). Only the directories on changed paths are rewritten; a
   * directory left empty disappears, as in git.
   */
  async editTree(
    base: string | undefined,
    path: string,
    changes: ReadonlyMap<string, string | null>,
  ): Promise<string> {
    const prefixed = new Map<string, string | null>();
    for (const [file, content] of changes) prefixed.set(path === '' ? file : `${path}/${file}`, content);
    return (
      (await this.rewrite(base, prefixed)) ?? (await git.writeTree({ fs, gitdir: this.gitdir, tree: [] }))
    );
  }

  /** Commits `tree` on top of `parent` (none: an orphan commit) and points the local `branch` at it. */
  async commit(
    branch: string,
    tree: string,
    parent: string | undefined,
    message: string,
    who: Identity,
  ): Promise<string> {
    const oid = await git.commit({
      fs,
      gitdir: this.gitdir,
      message,
      author: who,
      tree,
      parent: parent === undefined ? [] : [parent],
      noUpdateBranch: true,
      cache: this.cache,
    });
    await git.writeRef({ fs, gitdir: this.gitdir, ref: `refs/heads/${branch}`, value: oid, force: true });
    return oid;
  }

  /** Pushes the local `branch` to the remote branch of the same name; a moved remote is a PushConflict. */
  async push(branch: string): Promise<void> {
    try {
      const result = await git.push({
        fs,
        http,
        gitdir: this.gitdir,
        remote: REMOTE,
        ref: `refs/heads/${branch}`,
        remoteRef: `refs/heads/${branch}`,
        onAuth: this.onAuth,
        cache: this.cache,
      });
      const status = result.refs[`refs/heads/${branch}`];
      if (!result.ok || (status !== undefined && !status.ok)) {
        throw new PushConflict(
          `push of ${branch} was refused: ${status?.error ?? result.error ?? 'unknown reason'}`,
        );
      }
    } catch (error) {
      // isomorphic-git reports a moved remote as PushRejectedError, and some versions as NotFoundError
      // (the remote tip is not in our clone: isomorphic-git#2421); a server that lost the race for
      // the ref lock after accepting the pack answers "failed to update ref" (GitPushError).
      if (
        error instanceof Errors.PushRejectedError ||
        error instanceof Errors.NotFoundError ||
        error instanceof Errors.GitPushError
      ) {
        throw new PushConflict(`the remote branch ${branch} moved`, { cause: error });
      }
      throw error;
    }
  }

  /** Drops the packfile cache; after many passes it only holds packs that no longer matter. */
  resetCache(): void {
    this.cache = {};
  }

  private async rewrite(
    base: string | undefined,
    changes: ReadonlyMap<string, string | null>,
  ): Promise<string | undefined> {
    const entries = base === undefined ? [] : await this.entries(base);
    const byName = new Map(entries.map((e) => [e.path, e]));
    const children = new Map<string, Map<string, string | null>>();
    for (const [file, content] of changes) {
      const slash = file.indexOf('/');
      if (slash < 0) {
        if (content === null) byName.delete(file);
        else {
          const oid = await git.writeBlob({ fs, gitdir: this.gitdir, blob: Buffer.from(content, 'utf8') });
          byName.set(file, { mode: FILE_MODE, path: file, oid, type: 'blob' });
        }
        continue;
      }
      const name = file.slice(0, slash);
      let child = children.get(name);
      if (child === undefined) children.set(name, (child = new Map<string, string | null>()));
      child.set(file.slice(slash + 1), content);
    }
    for (const [name, child] of children) {
      const existing = byName.get(name);
      const oid = await this.rewrite(existing?.type === 'tree' ? existing.oid : undefined, child);
      if (oid === undefined) byName.delete(name);
      else byName.set(name, { mode: TREE_MODE, path: name, oid, type: 'tree' });
    }
    if (byName.size === 0) return undefined;
    return git.writeTree({ fs, gitdir: this.gitdir, tree: [...byName.values()] });
  }

  private async subtree(tree: string, path: string): Promise<string | undefined> {
    let oid = tree;
    for (const part of path.split('/').filter((p) => p !== '')) {
      const entry = (await this.entries(oid)).find((e) => e.path === part);
      if (entry?.type !== 'tree') return undefined;
      oid = entry.oid;
    }
    return oid;
  }

  private async entries(oid: string): Promise<TreeEntry[]> {
    return (await git.readTree({ fs, gitdir: this.gitdir, oid, cache: this.cache })).tree;
  }

  private async blob(oid: string): Promise<string> {
    let text = this.blobs.get(oid);
    if (text === undefined) {
      const { blob } = await git.readBlob({ fs, gitdir: this.gitdir, oid, cache: this.cache });
      text = Buffer.from(blob).toString('utf8');
      this.blobs.set(oid, text);
    }
    return text;
  }

  private async hasObject(oid: string): Promise<boolean> {
    try {
      await git.readObject({ fs, gitdir: this.gitdir, oid, format: 'deflated', cache: this.cache });
      return true;
    } catch (error) {
      if (error instanceof Errors.NotFoundError) return false;
      throw error;
    }
  }
}
