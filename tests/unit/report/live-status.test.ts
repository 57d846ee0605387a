import { describe, expect, it } from 'vitest';
import { TransientError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/observe/index.ts';
import { liveStateOf } from '../../../src/agent/live-state.ts';
import {
  LiveStatusPublisher,
  ProviderError,
  liveCommitStatus,
  repositoryPath,
  statusSection,
  type CodeHost,
  type CommitStatus,
  type LiveState,
} from '../../../src/report/index.ts';

const SHA = 'ab'.repeat(20);
const state = (overrides: Partial<LiveState> = {}): LiveState => ({
  namespace: 'default',
  name: 'phi',
  repository: 'https://github.com/acme/models.git',
  commit: SHA,
  state: 'pending',
  reason: 'NodeClaimNotReady',
  message: 'waiting for 1 node',
  ...overrides,
});

/** A code host in memory: what the publisher wrote, and failures on demand. */
function memoryHost(existing: CommitStatus[] = []) {
  const written: CommitStatus[] = [];
  let fail: Error | undefined;
  let once = false;
  const host: CodeHost = {
    provider: 'github',
    repository: 'acme/models',
    comments: () => Promise.resolve([]),
    createComment: (_n, body) => Promise.resolve({ id: 1, body }),
    updateComment: () => Promise.resolve(),
    deleteComment: () => Promise.resolve(),
    setStatus: (_sha, status) => {
      if (fail === undefined) return (written.push(status), Promise.resolve());
      const error = fail;
      if (once) fail = undefined;
      return Promise.reject(error);
    },
    statuses: () => Promise.resolve([...existing]),
    pullRequestsOf: () => Promise.resolve([]),
  };
  return {
    host,
    written,
    failWith: (error: Error | undefined, onlyOnce = false) => {
      fail = error;
      once = onlyOnce;
    },
  };
}

describe('live state of a Workspace object', () => {
  const object = (status: object, annotations: Record<string, string> = {}) => ({
    metadata: {
      name: 'phi',
      namespace: 'default',
      generation: 2,
      annotations: {
        'gitops.kaito.sh/source-repository': 'https://github.com/acme/models.git',
        'gitops.kaito.sh/source-commit': SHA,
        ...annotations,
      },
    },
    status,
  });
  const cond = (type: string, status: string, reason = '', message = '') => ({
    type,
    status,
    reason,
    message,
    lastTransitionTime: '2026-01-01T00:00:00Z',
  });
  it.each([
    ['Ready', { observedGeneration: 2, conditions: [cond('Ready', 'True', 'Succeeded')] }, 'success'],
    [
      'Stalled',
      { observedGeneration: 2, conditions: [cond('Stalled', 'True', 'QuotaExceeded', 'no quota')] },
      'failure',
    ],
    [
      'Reconciling',
      { observedGeneration: 2, conditions: [cond('Reconciling', 'True', 'Provisioning')] },
      'pending',
    ],
    ['an old status', { observedGeneration: 1, conditions: [cond('Ready', 'True', 'Succeeded')] }, 'pending'],
    ['no status yet', {}, 'pending'],
  ])('%s → %s', (_what, status, expected) => {
    expect(liveStateOf(object(status))?.state).toBe(expected);
  });
  it('has none without provenance', () => {
    expect(liveStateOf({ metadata: { name: 'x', namespace: 'y' } })).toBeUndefined();
  });
});

describe('live status text', () => {
  it('says the state and why in one line', () => {
    expect(
      liveCommitStatus(state({ state: 'failure', reason: 'ImagePullBackOff', message: 'no such image' })),
    ).toEqual({
      context: 'kaito-gitops/default/phi',
      state: 'failure',
      description: 'Stalled: ImagePullBackOff: no such image',
    });
  });
  it.each([
    ['https://github.com/acme/models.git', 'acme/models'],
    ['https://gitlab.example/platform/ml/models.git', 'platform/ml/models'],
    ['git@github.com:acme/models.git', undefined],
    ['https://github.com/acme', undefined],
  ])('repository of %s', (url, path) => {
    expect(repositoryPath(url)).toBe(path);
  });
  it('keeps the table within its limit', () => {
    const many = Array.from({ length: 500 }, (_, i) => state({ name: `ws-${i}` }));
    const text = statusSection(many, 4000);
    expect(text.length).toBeLessThanOrEqual(4000);
    expect(text).toMatch(/_\d+ more Workspaces not shown\._/);
  });
});

describe('LiveStatusPublisher', () => {
  const publisher = (host: CodeHost) =>
    new LiveStatusPublisher({ hostFor: () => host, logger: silentLogger, minIntervalMs: 0, retryMs: 5 });

  it('writes only changes of state, and nothing that is already on the commit', async () => {
    const already = liveCommitStatus(state());
    const { host, written } = memoryHost([already]);
    const live = publisher(host);
    live.observe(state());
    await live.idle();
    expect(written).toEqual([]); // written before a restart
    live.observe(state({ reason: 'Provisioning', message: 'pods starting' })); // still pending: no write
    await live.idle();
    expect(written).toEqual([]);
    live.observe(state({ state: 'success', reason: 'Succeeded', message: '' }));
    live.observe(state({ state: 'success', reason: 'Succeeded', message: '' }));
    await live.idle();
    expect(written.map((s) => s.state)).toEqual(['success']);
    await live.stop();
  });

  it('stops at the 1,000 statuses GitHub keeps for one commit and context', async () => {
    const full = Array.from({ length: 1000 }, () => ({ ...liveCommitStatus(state()), description: 'older' }));
    const { host, written } = memoryHost(full);
    const live = publisher(host);
    live.observe(state({ state: 'success', reason: '', message: '' }));
    await live.idle();
    expect(written).toEqual([]);
    await live.stop();
  });

  it('retries a transient failure, and drops a refusal until the next change', async () => {
    const { host, written, failWith } = memoryHost();
    const live = publisher(host);
    failWith(new TransientError('GitHub: 502 Bad Gateway'), true);
    live.observe(state({ reason: 'Provisioning' }));
    await live.idle();
    expect(written.map((s) => s.description)).toEqual(['reconciling: Provisioning: waiting for 1 node']);
    failWith(new ProviderError('GitHub: 403 forbidden', { status: 403 }));
    live.observe(state({ state: 'failure', reason: 'QuotaExceeded', message: 'no quota' }));
    await live.idle();
    expect(written).toHaveLength(1); // not retried
    failWith(undefined);
    live.observe(state({ state: 'success', reason: '', message: '' }));
    await live.idle();
    expect(written.map((s) => s.state)).toEqual(['pending', 'success']);
    await live.stop();
  });
});
