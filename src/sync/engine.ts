/**
 * One sync pass: read the specs at the newest source commit, hydrate them against the tree on the
 * deploy branch, commit the bytes that changed and push. A push refused because the branch moved is
 * retried from the start (fetch, re-render from the newest source) with backoff, so nothing another
 * writer pushed is lost and the final tree is the render of the newest source.
 */
import { join } from 'node:path';
import { Errors } from 'isomorphic-git';
import { SpecError } from '../errors.ts';
import { hydrate, type HydrateResult } from '../pipeline.ts';
import { INVENTORY, KUSTOMIZATION, inventoryOf, parseInventory, type Tree } from '../render/index.ts';
import { backoffDelay, sleep } from './backoff.ts';
import { GitRemoteError, isRetryable } from './errors.ts';
import { GitStore, PushConflict, type Identity } from './git-store.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import { commitMessage } from './message.ts';
import { redactUrl } from './redact.ts';
import { SOURCE_COMMIT, SOURCE_PATH, SOURCE_REPOSITORY, previousStamps, restamp } from './stamp.ts';
import type { SyncConfig, SyncResult } from './types.ts';

const SPEC_FILE = /\.ya?ml$/;
const DEFAULT_AUTHOR: Identity = { name: 'kaito-gitops', email: 'kaito-gitops@users.noreply.github.com' };

/**
 * Syncs in this process that share a clone wait for each other. Process-wide on purpose: the clones
 * are directories on this machine, whoever holds the Syncer.
 */
const processLocks = new KeyedMutex();

export interface SyncerOptions {
  /** @default one mutex for the whole process */
  locks?: KeyedMutex;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export class Syncer {
  private readonly config: SyncConfig;
  private readonly locks: KeyedMutex;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private stores: { source: GitStore; target: GitStore } | undefined;
  /** The deploy tree last read or written, by commit: a pass after our own push reads nothing. */
  private last: { commit: string; tree: Tree } | undefined;

  constructor(config: SyncConfig, options: SyncerOptions = {}) {
    this.config = config;
    this.locks = options.locks ?? processLocks;
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
  }

  /** One pass, serialized with every other pass on the same clones in this process. */
  sync(): Promise<SyncResult> {
    return this.locks.run(join(this.config.workDir, this.config.target), () => this.attempts());
  }

  private async attempts(): Promise<SyncResult> {
    const max = this.config.maxAttempts ?? 8;
    const secrets = [this.config.credentials?.username, this.config.credentials?.password].filter(
      (s): s is string => s !== undefined,
    );
    for (let attempt = 1; ; attempt++) {
      try {
        return { ...(await this.pass()), attempts: attempt };
      } catch (error) {
        if (error instanceof SpecError) throw error;
        const conflict = error instanceof PushConflict;
        const status = error instanceof GitRemoteError ? error.statusCode : undefined;
        if (!conflict && !(error instanceof GitRemoteError && isRetryable(status))) throw error;
        if (attempt >= max) {
          const why = conflict ? 'the deploy branch kept moving' : (error as Error).message;
          throw new GitRemoteError(`sync gave up after ${attempt} attempts: ${why}`, {
            statusCode: status,
            cause: error,
            secrets,
          });
        }
        if (!conflict) this.stores?.source.resetCache();
        await this.sleep(backoffDelay(attempt, this.config.backoffMs ?? 200, this.random));
      }
    }
  }

  private async pass(): Promise<Omit<SyncResult, 'attempts'>> {
    const { source, target } = await this.open();
    const { sourceRef, targetBranch, targetPath } = this.config;
    const same = source === target;
    const sourceRefs = await remote(
      () => source.remoteBranches(same ? [sourceRef, targetBranch] : [sourceRef]),
      this.secrets(),
    );
    const targetRefs = same
      ? sourceRefs
      : await remote(() => target.remoteBranches([targetBranch]), this.secrets());
    const sourceCommit = sourceRefs.get(sourceRef);
    if (sourceCommit === undefined) {
      throw new GitRemoteError(
        `branch "${sourceRef}" not found in ${redactUrl(this.config.source)}; check --source-ref`,
        {
          statusCode: 404,
        },
      );
    }
    const deployCommit = targetRefs.get(targetBranch);
    await remote(() => source.ensureCommit(sourceRef, sourceCommit), this.secrets());
    if (deployCommit !== undefined)
      await remote(() => target.ensureCommit(targetBranch, deployCommit), this.secrets());

    const files = await source.readDirectory(sourceCommit, this.config.sourcePath, (name) =>
      SPEC_FILE.test(name),
    );
    if (files === undefined) {
      throw new SpecError(
        [
          {
            path: '',
            message: `no such directory at commit ${sourceCommit}; check --source-path (nothing was written)`,
          },
        ],
        { file: this.config.sourcePath },
      );
    }
    const previous =
      deployCommit === undefined ? new Map<string, string>() : await this.previousTree(target, deployCommit);
    const result = this.render(
      [...files].map(([path, content]) => ({ path, content })),
      previous,
      sourceCommit,
    );
    const changes = diff(previous, result.tree);
    const summary = {
      sourceCommit,
      workspaces: result.workspaces,
      errors: result.errors,
      warnings: result.warnings,
      changed: [...changes.keys()].sort(),
    };
    if (changes.size === 0) {
      // Nothing to write, which also covers a replayed webhook for a sha the branch already carries.
      return { ...summary, deployCommit: deployCommit ?? '', pushed: false };
    }
    const base = deployCommit === undefined ? undefined : await target.treeOf(deployCommit);
    const tree = await target.editTree(base, targetPath, changes);
    const message = commitMessage(sourceCommit, result);
    const commit = await target.commit(
      targetBranch,
      tree,
      deployCommit,
      message,
      this.config.author ?? DEFAULT_AUTHOR,
    );
    await remote(() => target.push(targetBranch), this.secrets());
    this.last = { commit, tree: result.tree };
    return { ...summary, deployCommit: commit, pushed: true };
  }

  private render(
    files: { path: string; content: string }[],
    previous: Tree,
    sourceCommit: string,
  ): HydrateResult {
    const stamps = previousStamps(previous);
    const fixed = {
      [SOURCE_REPOSITORY]: redactUrl(this.config.source),
      [SOURCE_PATH]: this.config.sourcePath,
    };
    const options = { catalog: this.config.catalog, cloud: this.config.cloud ?? 'azure', previous };
    const first = hydrate(files, {
      ...options,
      annotate: (w) => ({
        ...fixed,
        [SOURCE_COMMIT]: stamps.get(`${w.namespace}/${w.name}`) ?? sourceCommit,
      }),
    });
    const stale = first.workspaces.filter((w) => {
      const stamp = stamps.get(`${w.namespace}/${w.name}`);
      return w.status === 'rendered' && stamp !== undefined && stamp !== sourceCommit;
    });
    if (stale.length === 0) return first;
    const tree = new Map(first.tree);
    const entries = new Map(inventoryOf(first.tree).workspaces.map((e) => [`${e.namespace}/${e.name}`, e]));
    for (const w of stale) {
      const id = `${w.namespace}/${w.name}`;
      const own = new Map((entries.get(id)?.files ?? []).map((path) => [path, first.tree.get(path) ?? '']));
      const edited = restamp(own, stamps.get(id) ?? '', sourceCommit);
      if (edited === undefined) {
        // Not a byte-exact edit: render again with the new stamp on exactly these workspaces.
        const changed = new Set(stale.map((s) => `${s.namespace}/${s.name}`));
        return hydrate(files, {
          ...options,
          annotate: (v) => {
            const key = `${v.namespace}/${v.name}`;
            return {
              ...fixed,
              [SOURCE_COMMIT]: changed.has(key) ? sourceCommit : (stamps.get(key) ?? sourceCommit),
            };
          },
        });
      }
      for (const [path, text] of edited) tree.set(path, text);
    }
    return { ...first, tree };
  }

  /** The tree kaito-gitops wrote under the target path at `commit`: root files plus what the inventory lists. */
  private async previousTree(target: GitStore, commit: string): Promise<Tree> {
    if (this.last?.commit === commit) return this.last.tree;
    const path = this.config.targetPath;
    const root = await target.readFiles(commit, path, [INVENTORY, KUSTOMIZATION]);
    const inventoryText = root.get(INVENTORY);
    if (inventoryText === undefined) return new Map();
    const inventory = parseInventory(inventoryText, path === '' ? INVENTORY : `${path}/${INVENTORY}`);
    const listed = await target.readFiles(
      commit,
      path,
      inventory.workspaces.flatMap((e) => e.files),
    );
    const tree = new Map([...root, ...listed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    this.last = { commit, tree };
    return tree;
  }

  private async open(): Promise<{ source: GitStore; target: GitStore }> {
    if (this.stores === undefined) {
      const { workDir, source, target, credentials } = this.config;
      const sourceStore = await GitStore.open(workDir, source, credentials);
      const targetStore = target === source ? sourceStore : await GitStore.open(workDir, target, credentials);
      this.stores = { source: sourceStore, target: targetStore };
    }
    return this.stores;
  }

  private secrets(): string[] {
    const c = this.config.credentials;
    return [c?.username, c?.password].filter((s): s is string => s !== undefined);
  }
}

/** Paths whose bytes differ (new text) or that are gone (null): what the commit changes. */
function diff(previous: Tree, next: Tree): Map<string, string | null> {
  const changes = new Map<string, string | null>();
  for (const [path, text] of next) if (previous.get(path) !== text) changes.set(path, text);
  for (const path of previous.keys()) if (!next.has(path)) changes.set(path, null);
  return changes;
}

/** Runs a git call; an HTTP or network failure becomes a GitRemoteError with credentials redacted. */
async function remote<T>(call: () => Promise<T>, secrets: readonly string[]): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof PushConflict || error instanceof GitRemoteError) throw error;
    if (!isRemoteFailure(error)) throw error;
    const status = error instanceof Errors.HttpError ? error.data.statusCode : undefined;
    const hint = status === 401 || status === 403 ? ' (check KAITO_GITOPS_GIT_* credentials)' : '';
    throw new GitRemoteError(`${(error as Error).message}${hint}`, {
      statusCode: status,
      cause: error,
      secrets,
    });
  }
}

function isRemoteFailure(error: unknown): boolean {
  if (error instanceof GitRemoteError) return true;
  if (error instanceof Errors.HttpError || error instanceof Errors.SmartHttpError) return true;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && code !== 'ENOENT' && code !== 'EACCES';
}
