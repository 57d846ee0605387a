import { describe, expect, it } from 'vitest';
import {
  githubPullRequest,
  gitlabMergeRequest,
  isRepository,
  type PullRequestEvent,
} from '../../../src/sync/pull-request-event.ts';

const SHA = 'c'.repeat(40);

const github = (action: string, extra: Record<string, unknown> = {}) => ({
  action,
  number: 12,
  pull_request: {
    number: 12,
    updated_at: '2025-03-01T09:30:00Z',
    head: { sha: SHA, ref: 'feature', repo: { full_name: 'someone/models' } },
    base: { sha: 'b'.repeat(40), ref: 'main' },
  },
  repository: {
    full_name: 'acme/models',
    clone_url: 'https://github.com/acme/models.git',
    html_url: 'https://github.com/acme/models',
  },
  ...extra,
});

const gitlab = (action: string, attributes: Record<string, unknown> = {}) => ({
  object_kind: 'merge_request',
  project: {
    path_with_namespace: 'platform/ml/models',
    git_http_url: 'https://gitlab.example/platform/ml/models.git',
    web_url: 'https://gitlab.example/platform/ml/models',
  },
  object_attributes: {
    iid: 4,
    action,
    target_branch: 'main',
    updated_at: '2025-03-01 09:30:00 UTC',
    last_commit: { id: SHA },
    ...attributes,
  },
});

describe('githubPullRequest', () => {
  it.each([
    ['opened', github('opened')],
    ['synchronize', github('synchronize')],
    ['reopened', github('reopened')],
    ['edited with a new base', github('edited', { changes: { base: { ref: { from: 'release' } } } })],
  ])('%s: reported', (_name, payload) => {
    expect(githubPullRequest(payload)).toEqual({
      kind: 'pull-request',
      event: {
        provider: 'github',
        repository: 'acme/models',
        urls: ['https://github.com/acme/models.git', 'https://github.com/acme/models'],
        number: 12,
        action: payload.action,
        head: SHA,
        baseRef: 'main',
        updatedAt: Date.parse('2025-03-01T09:30:00Z'),
      },
    });
  });

  it.each([
    ['closed', github('closed'), 'pull_request action closed'],
    ['labeled', github('labeled'), 'pull_request action labeled'],
    [
      'a title edit',
      github('edited', { changes: { title: { from: 'x' } } }),
      'pull_request edited without a new base',
    ],
  ])('%s: ignored', (_name, payload, reason) => {
    expect(githubPullRequest(payload)).toEqual({ kind: 'ignored', reason });
  });

  it.each([
    [
      'no number',
      { ...github('opened'), number: undefined, pull_request: { head: { sha: SHA }, base: { ref: 'main' } } },
      'without a number',
    ],
    [
      'a short head',
      github('opened', { pull_request: { number: 12, head: { sha: 'abc' }, base: { ref: 'main' } } }),
      'without a head commit',
    ],
    [
      'no base',
      github('opened', { pull_request: { number: 12, head: { sha: SHA } } }),
      'without a base branch',
    ],
    ['no repository', github('opened', { repository: {} }), 'without a repository'],
  ])('%s: a bad request', (_name, payload, reason) => {
    expect(githubPullRequest(payload)).toEqual({
      kind: 'bad-request',
      reason: `pull_request event ${reason}`,
    });
  });
});

describe('gitlabMergeRequest', () => {
  it.each(['open', 'reopen', 'update'])('%s: reported', (action) => {
    expect(gitlabMergeRequest(gitlab(action))).toEqual({
      kind: 'pull-request',
      event: {
        provider: 'gitlab',
        repository: 'platform/ml/models',
        urls: ['https://gitlab.example/platform/ml/models.git', 'https://gitlab.example/platform/ml/models'],
        number: 4,
        action,
        head: SHA,
        baseRef: 'main',
        updatedAt: Date.parse('2025-03-01T09:30:00Z'),
      },
    });
  });

  it.each(['close', 'merge', 'approved'])('%s: ignored', (action) => {
    expect(gitlabMergeRequest(gitlab(action))).toEqual({
      kind: 'ignored',
      reason: `merge_request action ${action}`,
    });
  });

  it('a merge request without its last commit is a bad request', () => {
    expect(gitlabMergeRequest(gitlab('open', { last_commit: null }))).toEqual({
      kind: 'bad-request',
      reason: 'merge_request event without a head commit',
    });
  });
});

describe('isRepository', () => {
  const event = { urls: ['https://github.com/Acme/Models.git'] } as PullRequestEvent;
  it.each([
    ['https://github.com/acme/models.git', true],
    ['https://github.com/acme/models', true],
    ['http://github.com/ACME/models/', true],
    ['https://github.com/acme/models-fork.git', false],
    ['https://ghe.example/acme/models.git', false],
    ['not a url', false],
  ])('%s: %s', (url, same) => {
    expect(isRepository(event, url)).toBe(same);
  });
});
