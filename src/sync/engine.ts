/**
 * One sync pass, and the retries around it: fetch the deploy branch, then the source (in that order,
 * so a render is never older than the deploy tip it builds on), read the specs at the source commit,
 * render, write the tree at the deploy path, commit only when bytes changed, push. A push the remote
 * rejects (someone else pushed first) starts the pass over from fresh fetches, with backoff, so the
 * final tree is always the render of the newest source and no commit is lost or duplicated.
 */
import { compareStrings } from '../api/index.ts';
import {
  EnvironmentError,
  InterruptedError,
  RemoteRefusedError,
  RetriesExhaustedError,
  SpecError,
  TransientError,
  UsageError,
} from '../errors.ts';
import type { HydrateOptions } from '../pipeline.ts';
import { INVENTORY, inventoryOf, ownedTree, placeTree, shardChanges, type Tree } from '../render/index.ts';
import { redactUrl } from './credentials.ts';
import {
  CacheMovedAside,
  classifyFailure,
  describe,
  isRemoteFailure,
  mayBeDamage,
  oneLine,
} from './failures.ts';
import { commitMessage, summarize } from './commit-message.ts';
import { gitHttpClient } from './git-http-client.ts';
import { GitMirror, type CommitIdentity } from './git-mirror.ts';
import { directoryOf } from './git-objects.ts';
import { IncrementalRenderer } from './incremental-renderer.ts';
import { renderStamped } from './stamp.ts';
import type { SyncConfig, SyncDependencies, SyncResult } from './sync-config.ts';

export const DEFAULT_AUTHOR: CommitIdentity = {
  name: 'kaito-gitops',
  email: 'kaito-gitops@users.noreply.github.com',
};

type Pass =
  | { kind: 'done'; result: Omit<SyncResult, 'attempts' | 'durationMs'> }
  | { kind: 'rejected'; detail: string };

export class SyncEngine {
  readonly config: SyncConfig;
  readonly #deps: SyncDependencies;
  readonly #renderer: IncrementalRenderer;
  #mirrors: Promise<{ source: GitMirror; target: GitMirror }> | undefined;
  /** True while a push is on its way (what a stop signal leaves behind depends on it). */
  #pushing = false;

  constructor(config: SyncConfig, deps: SyncDependencies) {
    if (config.source.url === config.target.url && config.source.ref === config.target.branch) {
      throw new Error('the deploy branch must differ from the source branch when both are in one repository');
    }
    this.config = config;
    this.#deps = deps;
    this.#renderer = new IncrementalRenderer(deps.render);
  }

  /** How often a pass rendered everything, only the changed specs, or nothing new. */
  get renderCounts() {
    return { ...this.#renderer.counts };
  }

  /**
   * One sync: retried on rejected pushes and TransientErrors; a RemoteRefusedError, SpecError,
   * UsageError or EnvironmentError at once, a RetriesExhaustedError when the attempts ran out, an
   * InterruptedError when the stop signal ended it. A failure that looks like a damaged clone cache
   * (anything git's local object store throws that is not a remote's answer) moves the cache aside
   * and tries once more from a fresh clone.
   */
  async sync(): Promise<SyncResult> {
    const started = performance.now();
    const now = this.#deps.now ?? (() => new Date());
    const maxAttempts = this.config.maxAttempts ?? 6;
    let lastProblem = '';
    let lastError: TransientError | undefined;
    let recovered = false;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      this.#throwIfStopped();
      let pass: Pass;
      try {
        pass = await this.#pass(now(), !recovered);
      } catch (error) {
        this.#throwIfStopped(error);
        if (error instanceof CacheMovedAside) {
          recovered = true;
          attempt--;
          continue;
        }
        const failure = this.#classify(error);
        if (!(failure instanceof TransientError)) throw failure;
        lastError = failure;
        lastProblem = failure.message;
        this.#deps.logger.log('warn', 'sync attempt failed', { attempt, error: lastProblem });
        await this.#backoff(attempt, maxAttempts);
        continue;
      }
      if (pass.kind === 'done') {
        return { ...pass.result, attempts: attempt, durationMs: Math.round(performance.now() - started) };
      }
      lastProblem = `push rejected: ${pass.detail}`;
      this.#deps.logger.log('info', 'deploy branch moved, syncing again', {
        attempt,
        detail: this.#deps.redactor.redact(pass.detail),
      });
      await this.#backoff(attempt, maxAttempts);
    }
    throw new RetriesExhaustedError(
      oneLine(
        this.#deps.redactor.redact(
          `sync to ${redactUrl(this.config.target.url)} ${this.config.target.branch} failed after ${maxAttempts} attempts; last: ${lastProblem}`,
        ),
      ),
      maxAttempts,
      { cause: lastError },
    );
  }

  /** An InterruptedError once the stop signal fired; `error` is what the pass ended with, if anything. */
  #throwIfStopped(error?: unknown): void {
    const signal = this.#deps.signal;
    if (signal?.aborted !== true) return;
    if (error instanceof InterruptedError) throw error;
    throw new InterruptedError(
      this.#pushing
        ? 'stopped by a signal during the push: the deploy branch holds either its previous commit or the new one (a push is all or nothing); the next sync settles it'
        : 'stopped by a signal; nothing was pushed',
      { cause: error },
    );
  }

  async #backoff(attempt: number, maxAttempts: number): Promise<void> {
    if (attempt >= maxAttempts) return;
    const base = this.config.backoffMs ?? 250;
    const cap = Math.min(this.config.maxBackoffMs ?? 5000, base * 2 ** (attempt - 1));
    const delay = Math.round(cap * (this.#deps.random ?? Math.random)());
    await (this.#deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))))(delay);
  }

  /** {@link classifyFailure} with this sync's redactor and the remote's URL. */
  #classify(error: unknown, role?: Role): unknown {
    const url = role === undefined ? '' : redactUrl(this.config[role].url);
    return classifyFailure(error, (detail) =>
      oneLine(this.#deps.redactor.redact(role === undefined ? detail : `the ${role} ${url}: ${detail}`)),
    );
  }

  /** `task`, a remote call of the source's or the target's; its failures name that remote. */
  async #remote<T>(role: Role, task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } catch (error) {
      if (!isRemoteFailure(error)) throw error;
      throw this.#classify(error, role);
    }
  }

  async #openMirrors() {
    this.#mirrors ??= (async () => {
      const { cacheDir, source, target } = this.config;
      const http = gitHttpClient({
        ...(this.config.timeoutMs === undefined ? {} : { timeoutMs: this.config.timeoutMs }),
        ...(this.#deps.signal === undefined ? {} : { signal: this.#deps.signal }),
      });
      const sourceMirror = await GitMirror.open(cacheDir, source.url, this.#deps.credentials.source, http);
      const targetMirror =
        redactUrl(target.url) === redactUrl(source.url) &&
        this.#deps.credentials.source === this.#deps.credentials.target
          ? sourceMirror
          : await GitMirror.open(`${cacheDir}/target`, target.url, this.#deps.credentials.target, http);
      return { source: sourceMirror, target: targetMirror };
    })();
    return this.#mirrors;
  }

  /**
   * Runs `task` on the source repository's clone, holding its lock like a pass does (a pass waits
   * meanwhile, so keep the task to git reads): how the sync server reads a pull request's revisions.
   * The remote's failures name the source, as in a pass.
   */
  async withSourceMirror<T>(task: (source: GitMirror) => Promise<T>): Promise<T> {
    const { source } = await this.#openMirrors();
    const lockOptions = this.#deps.signal === undefined ? {} : { signal: this.#deps.signal };
    return GitMirror.lockAll([source], () => this.#remote('source', () => task(source)), lockOptions);
  }

  /**
   * One pass under the mirrors' locks. With `mayRecover`, a failure that is not a remote's answer nor
   * one of the project's errors moves both mirrors aside (still under the locks) and throws
   * CacheMovedAside, so the caller tries again from fresh clones.
   */
  async #pass(now: Date, mayRecover: boolean): Promise<Pass> {
    const mirrors = await this.#openMirrors();
    const lockOptions = this.#deps.signal === undefined ? {} : { signal: this.#deps.signal };
    return GitMirror.lockAll(
      [mirrors.source, mirrors.target],
      async () => {
        try {
          return await this.#passLocked(mirrors, now);
        } catch (error) {
          if (!mayRecover || this.#deps.signal?.aborted === true || !mayBeDamage(error)) throw error;
          const moved = await Promise.all(
            [...new Set([mirrors.source, mirrors.target])].map((mirror) => mirror.moveAside(now)),
          );
          this.#deps.logger.log('warn', 'the clone cache looks damaged; moved it aside, cloning again', {
            error: oneLine(this.#deps.redactor.redact(describe(error))),
            movedTo: moved,
          });
          this.#mirrors = undefined;
          this.#renderer.reset();
          throw new CacheMovedAside({ cause: error });
        }
      },
      lockOptions,
    );
  }

  async #passLocked(mirrors: { source: GitMirror; target: GitMirror }, now: Date): Promise<Pass> {
    const { source, target } = this.config;
    const step = this.#deps.onStep ?? (() => undefined);
    step('fetching');
    const tip = await this.#remote('target', () => mirrors.target.fetch(target.branch));
    const sourceCommit = await this.#remote('source', () => mirrors.source.fetch(source.ref));
    if (sourceCommit === undefined) {
      throw new RemoteRefusedError(`${redactUrl(source.url)} has no branch "${source.ref}" (--source-ref)`);
    }
    const sourceTree = await mirrors.source.treeAt(sourceCommit, source.path);
    const deployTree = tip === undefined ? undefined : await mirrors.target.treeAt(tip, target.path);
    const existing: Tree =
      deployTree === undefined
        ? new Map()
        : new Map(
            [...(await mirrors.target.readFiles(deployTree))]
              .map(([path, file]): [string, string] => [path, file.text])
              .sort(([a], [b]) => compareStrings(a, b)),
          );
    // Git keeps no empty directories: deleting every spec deletes the directory. Once workspaces were
    // rendered, that is an empty source (the empty-source guard decides); before, a mistyped path.
    if (sourceTree === undefined && !existing.has(INVENTORY)) {
      throw new SpecError(
        [
          {
            path: '',
            message: `no such directory at source commit ${sourceCommit}; nothing was written (check --source-path)`,
          },
        ],
        { file: source.path === '' ? '.' : source.path },
      );
    }
    const specDir = normalizePath(source.path);
    // The specs and the repository files beside them (the Hugging Face cache), as every route reads them.
    const { files, repository } = await mirrors.source.sourceAt(sourceTree, specDir);
    if (existing.size > 0 && !existing.has(INVENTORY) && this.config.adopt !== true) {
      throw new UsageError(
        `--target-path ${target.path || '.'} on ${target.branch} holds ${existing.size} files but no ${INVENTORY}, so kaito-gitops never wrote there; point --target-path at an empty or new directory, or pass --adopt to add kaito-gitops' files beside them`,
      );
    }
    const previous = ownedTree(existing);

    step('rendering');
    const options: HydrateOptions = {
      catalog: this.#deps.catalog,
      repository,
      previous,
      cloud: this.config.cloud ?? 'azure',
      allowEmpty: this.config.allowEmpty ?? false,
      layout: this.config.layout ?? {},
      sourceName: specDir === '' ? '.' : specDir,
    };
    if (this.config.images !== undefined) options.images = this.config.images;
    const result = renderStamped(this.#renderer.render, files, {
      ...options,
      stamp: { repository: redactUrl(source.url), path: normalizePath(source.path), commit: sourceCommit },
    });
    const summary = summarize(result, shardChanges(inventoryOf(previous), inventoryOf(result.tree)));
    const placed = placeTree(existing, result.tree);
    if (placed.conflicts.length > 0) {
      const where = (path: string) =>
        normalizePath(target.path) === '' ? path : `${normalizePath(target.path)}/${path}`;
      throw new EnvironmentError(
        `${placed.conflicts.map(where).join(', ')} on ${target.branch} ${placed.conflicts.length === 1 ? 'is' : 'are'} there already and kaito-gitops did not write ${placed.conflicts.length === 1 ? 'it' : 'them'} (${INVENTORY} does not list ${placed.conflicts.length === 1 ? 'it' : 'them'}); move ${placed.conflicts.length === 1 ? 'it' : 'them'} away or choose another --target-path; nothing was pushed`,
      );
    }
    const directory = directoryOf(placed.files);
    if (directory.oid === deployTree && tip !== undefined) {
      this.#renderer.accept(files, options, result);
      return { kind: 'done', result: { ...summary, outcome: 'unchanged', sourceCommit, deployCommit: tip } };
    }
    step('committing');
    await mirrors.target.writeDirectory(directory, deployTree);
    const root = await mirrors.target.spliceTree(tip, target.path, directory.oid);
    const message = commitMessage(sourceCommit, redactUrl(source.url), summary);
    const commit = await mirrors.target.commit({
      tree: root,
      parent: tip,
      message,
      author: this.config.author ?? DEFAULT_AUTHOR,
      now,
    });
    this.#throwIfStopped();
    step('pushing');
    this.#pushing = true;
    const pushed = await this.#remote('target', () =>
      mirrors.target.push(target.branch, commit, tip),
    ).finally(() => (this.#pushing = false));
    if (!pushed.ok) {
      await mirrors.target.resetBranch(target.branch, tip);
      this.#renderer.reset();
      return { kind: 'rejected', detail: pushed.detail };
    }
    this.#renderer.accept(files, options, result);
    this.#deps.logger.log('info', 'deploy commit pushed', {
      sourceCommit,
      deployCommit: commit,
      workspaces: summary.workspaceCount,
      changed: summary.changed,
      errors: summary.errors.length,
      objects: pushed.objects,
      ...(summary.shards.opened.length > 0 && { openedShards: summary.shards.opened }),
      ...(summary.shards.retired.length > 0 && { retiredShards: summary.shards.retired }),
    });
    return { kind: 'done', result: { ...summary, outcome: 'pushed', sourceCommit, deployCommit: commit } };
  }
}

type Role = 'source' | 'target';

function normalizePath(path: string): string {
  return path
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}
