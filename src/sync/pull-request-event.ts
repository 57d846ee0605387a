/**
 * Pull-request webhooks, read without side effects: GitHub `pull_request` and GitLab `merge_request`
 * payloads → the few facts a plan comment needs (which pull request, its head commit, the branch it
 * merges into, when it changed), or why the event asks for nothing. Events that can change the plan
 * are the ones that change the head or the base: GitHub `opened`, `synchronize`, `reopened` and
 * `edited` with a new base; GitLab `open`, `reopen` and `update` (pushes, a new target branch, and
 * title edits, which GitLab reports alike; a re-run that changes nothing writes nothing).
 */

export interface PullRequestEvent {
  provider: 'github' | 'gitlab';
  /** The code host's name of the repository: `owner/repo`, `group/subgroup/project`. */
  repository: string;
  /** URLs of that repository as the payload gives them (clone and web), to tell it is the sync source. */
  urls: string[];
  /** Pull request number (GitHub) or merge request iid (GitLab). */
  number: number;
  action: string;
  /** The head commit the event announces. */
  head: string;
  /** The branch the pull request merges into. */
  baseRef: string;
  /** When the pull request last changed (ms since the epoch), to order events that arrive out of order. */
  updatedAt?: number;
}

export type PullRequestReading =
  | { kind: 'pull-request'; event: PullRequestEvent }
  | { kind: 'ignored'; reason: string }
  | { kind: 'bad-request'; reason: string };

const GITHUB_ACTIONS = new Set(['opened', 'synchronize', 'reopened', 'edited']);
const GITLAB_ACTIONS = new Set(['open', 'reopen', 'update']);
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** A GitHub `pull_request` event's payload. */
export function githubPullRequest(json: Record<string, unknown>): PullRequestReading {
  const action = text(json['action']) ?? '';
  const pull = record(json['pull_request']);
  const repository = record(json['repository']);
  if (!GITHUB_ACTIONS.has(action)) return { kind: 'ignored', reason: `pull_request action ${action}` };
  if (action === 'edited' && record(json['changes'])['base'] === undefined) {
    return { kind: 'ignored', reason: 'pull_request edited without a new base' };
  }
  return checked({
    provider: 'github',
    repository: text(repository['full_name']),
    urls: [repository['clone_url'], repository['html_url']],
    number: json['number'] ?? pull['number'],
    action,
    head: record(pull['head'])['sha'],
    baseRef: record(pull['base'])['ref'],
    updatedAt: pull['updated_at'],
  });
}

/** A GitLab `Merge Request Hook` payload. */
export function gitlabMergeRequest(json: Record<string, unknown>): PullRequestReading {
  const attributes = record(json['object_attributes']);
  const action = text(attributes['action']) ?? '';
  if (!GITLAB_ACTIONS.has(action)) return { kind: 'ignored', reason: `merge_request action ${action}` };
  const project = record(json['project']);
  const target = record(attributes['target']);
  return checked({
    provider: 'gitlab',
    repository: text(project['path_with_namespace']) ?? text(target['path_with_namespace']),
    urls: [project['git_http_url'], project['web_url'], target['git_http_url'], target['web_url']],
    number: attributes['iid'],
    action,
    head: record(attributes['last_commit'])['id'],
    baseRef: attributes['target_branch'],
    updatedAt: attributes['updated_at'],
  });
}

function checked(fields: {
  provider: PullRequestEvent['provider'];
  repository: string | undefined;
  urls: unknown[];
  number: unknown;
  action: string;
  head: unknown;
  baseRef: unknown;
  updatedAt: unknown;
}): PullRequestReading {
  const { provider, repository, number, head, baseRef } = fields;
  const what = provider === 'github' ? 'pull_request' : 'merge_request';
  if (repository === undefined) return { kind: 'bad-request', reason: `${what} event without a repository` };
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    return { kind: 'bad-request', reason: `${what} event without a number` };
  }
  if (typeof head !== 'string' || !SHA.test(head)) {
    return { kind: 'bad-request', reason: `${what} event without a head commit` };
  }
  if (typeof baseRef !== 'string' || baseRef === '') {
    return { kind: 'bad-request', reason: `${what} event without a base branch` };
  }
  const updatedAt = typeof fields.updatedAt === 'string' ? Date.parse(fields.updatedAt) : Number.NaN;
  const event: PullRequestEvent = {
    provider,
    repository,
    urls: fields.urls.filter((url): url is string => typeof url === 'string'),
    number,
    action: fields.action,
    head,
    baseRef,
  };
  if (Number.isFinite(updatedAt)) event.updatedAt = updatedAt;
  return { kind: 'pull-request', event };
}

/** `owner/repo#7`, `group/project!7`. */
export function where(event: PullRequestEvent): string {
  return `${event.repository}${event.provider === 'github' ? '#' : '!'}${event.number}`;
}

/**
 * Whether `url` names the same repository as one of the event's URLs: host and path compared without
 * case, scheme, credentials, a trailing `/` or `.git` (GitHub and GitLab paths ignore case).
 */
export function isRepository(event: PullRequestEvent, url: string): boolean {
  const key = repositoryKey(url);
  return key !== undefined && event.urls.some((candidate) => repositoryKey(candidate) === key);
}

function repositoryKey(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`
      .toLowerCase()
      .replace(/\/+$/, '')
      .replace(/\.git$/, '');
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
