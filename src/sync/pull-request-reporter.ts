/**
 * The plan comment for one pull-request event, exactly as `report plan` writes it: the pull request's
 * head (fetched from `refs/pull/N/head` or `refs/merge-requests/N/head`, where a fork's commits are
 * too) and its merge base with the base branch, read from the source clone that sync keeps, then
 * compared, commented and given the `kaito-gitops/plan` status by report's `reportPullRequest`. The
 * clone is held only while git fetches and reads; rendering and the code host come after, so a push
 * waits for a pull request no longer than a fetch.
 */
import type { Catalog, Cloud } from '../catalog/index.ts';
import { RemoteRefusedError, TransientError } from '../errors.ts';
import {
  reportPullRequest,
  type CodeHost,
  type ProviderName,
  type PullRequestOutcome,
  type Revision,
} from '../report/index.ts';
import { redactUrl } from './credentials.ts';
import type { GitMirror } from './git-mirror.ts';
import { IncrementalRenderer } from './incremental-renderer.ts';
import { isRepository, where, type PullRequestEvent } from './pull-request-event.ts';
import type { Renderer } from './renderer.ts';

export interface PullRequestReporterOptions {
  /** The code host whose events are reported (`sync --report`). */
  provider: ProviderName;
  /**
   * The code host of a repository (`owner/repo`, `group/project`), with the credentials read at startup;
   * the same object for the same repository (its rate limits and GitHub App token are per object).
   */
  hostFor: (repository: string) => CodeHost;
  /**
   * The sync source: pull requests of other repositories, or into other branches than `ref` (they
   * change nothing sync deploys), are ignored; `path` is the specs' directory.
   */
  source: { url: string; ref: string; path: string };
  /** Runs a task on the source clone under its lock (SyncEngine.withSourceMirror). */
  withSourceMirror: <T>(task: (mirror: GitMirror) => Promise<T>) => Promise<T>;
  render: Renderer;
  catalog: Catalog;
  /** @default "azure" */
  cloud?: Cloud;
  /** The command the comment's truncation note names, for a base and head commit. */
  fullCommand?: (base: string, head: string) => string;
}

export class PullRequestReporter {
  readonly #options: PullRequestReporterOptions;

  constructor(options: PullRequestReporterOptions) {
    this.#options = options;
  }

  /** Why this server does not report `event` (another code host, repository or branch), or undefined. */
  ignores(event: PullRequestEvent): string | undefined {
    const { provider, source } = this.#options;
    if (event.provider !== provider) return `a ${event.provider} event, but sync reports to ${provider}`;
    if (!isRepository(event, source.url)) {
      return `${event.repository} is not the source repository ${redactUrl(source.url)}`;
    }
    if (event.baseRef !== source.ref) {
      return `${where(event)} merges into ${event.baseRef}, not the source branch ${source.ref}`;
    }
    return undefined;
  }

  /**
   * Reads both revisions, writes the comment and the status. Throws TransientError (the head is not
   * at the pull request's ref yet, a remote or the code host failed in a way that may pass), or a
   * RemoteRefusedError / ProviderError that retrying will not fix.
   */
  async report(event: PullRequestEvent): Promise<PullRequestOutcome> {
    const { catalog, cloud, render, fullCommand } = this.#options;
    const { base, head } = await this.#options.withSourceMirror((mirror) => this.#revisions(mirror, event));
    return reportPullRequest({
      host: this.#options.hostFor(event.repository),
      number: event.number,
      base,
      head,
      catalog,
      ...(cloud === undefined ? {} : { cloud }),
      renderer: new IncrementalRenderer(render),
      ...(fullCommand === undefined ? {} : { fullCommand: fullCommand(base.sha, head.sha) }),
    });
  }

  async #revisions(mirror: GitMirror, event: PullRequestEvent): Promise<{ base: Revision; head: Revision }> {
    const url = redactUrl(this.#options.source.url);
    const baseTip = await mirror.fetch(event.baseRef);
    if (baseTip === undefined) {
      throw new RemoteRefusedError(`${url} has no branch "${event.baseRef}", the base of ${where(event)}`);
    }
    const ref =
      event.provider === 'github'
        ? `refs/pull/${event.number}/head`
        : `refs/merge-requests/${event.number}/head`;
    if (!(await mirror.hasCommit(event.head))) await mirror.fetchRef(ref, `refs/heads/${event.baseRef}`);
    if (!(await mirror.hasCommit(event.head))) {
      throw new TransientError(
        `${url} ${ref} does not hold ${event.head} (yet), the head of ${where(event)}`,
      );
    }
    // The merge base, as the pull request's own diff and `report plan` use.
    const base = (await mirror.mergeBase(baseTip, event.head)) ?? baseTip;
    // Each revision with its own specs and repository files, read as a sync pass reads them.
    const dir = this.#options.source.path;
    const at = async (sha: string): Promise<Revision> => ({
      sha,
      ...(await mirror.sourceAt(await mirror.treeAt(sha, dir), dir)),
    });
    return { base: await at(base), head: await at(event.head) };
  }
}
