import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { judgeWebhook, RecentDeliveries } from '../../../src/sync/webhook.ts';

const SECRET = 'secret-for-tests';
const SHA = 'a'.repeat(40);
const body = (value: object) => Buffer.from(JSON.stringify(value));
const sign = (payload: Buffer, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('judgeWebhook', () => {
  const push = body({ ref: 'refs/heads/main', after: SHA });
  const form = Buffer.from(`payload=${encodeURIComponent(push.toString())}`);
  const pull = body({
    action: 'opened',
    number: 7,
    pull_request: { head: { sha: SHA }, base: { ref: 'main' } },
    repository: { full_name: 'acme/models', clone_url: 'https://github.com/acme/models.git' },
  });
  const pullForm = Buffer.from(`payload=${encodeURIComponent(pull.toString())}`);
  const mergeRequest = body({
    object_kind: 'merge_request',
    project: { path_with_namespace: 'platform/models' },
    object_attributes: { iid: 5, action: 'open', target_branch: 'main', last_commit: { id: SHA } },
  });
  it.each([
    [
      'GitHub push sent as a form (content type application/x-www-form-urlencoded)',
      {
        'x-github-event': 'push',
        'x-github-delivery': 'd2',
        'x-hub-signature-256': sign(form),
        'content-type': 'application/x-www-form-urlencoded',
      },
      form,
      { kind: 'push', provider: 'github', delivery: 'd2', ref: 'refs/heads/main', after: SHA },
    ],
    [
      'GitHub push, right signature',
      { 'x-github-event': 'push', 'x-github-delivery': 'd1', 'x-hub-signature-256': sign(push) },
      push,
      { kind: 'push', provider: 'github', delivery: 'd1', ref: 'refs/heads/main', after: SHA },
    ],
    [
      'GitHub push, wrong secret',
      { 'x-github-event': 'push', 'x-hub-signature-256': sign(push, 'other') },
      push,
      { kind: 'unauthorized' },
    ],
    [
      'GitHub push, body changed after signing',
      { 'x-github-event': 'push', 'x-hub-signature-256': sign(push) },
      body({ ref: 'refs/heads/main', after: 'b'.repeat(40) }),
      { kind: 'unauthorized' },
    ],
    ['GitHub push, no signature', { 'x-github-event': 'push' }, push, { kind: 'unauthorized' }],
    ['GitHub ping', { 'x-github-event': 'ping', 'x-hub-signature-256': sign(push) }, push, { kind: 'ping' }],
    [
      'GitHub issue event',
      { 'x-github-event': 'issues', 'x-hub-signature-256': sign(push) },
      push,
      { kind: 'ignored' },
    ],
    [
      'GitLab push, right token',
      { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET, 'x-gitlab-event-uuid': 'g1' },
      body({ ref: 'refs/heads/main', checkout_sha: SHA }),
      { kind: 'push', provider: 'gitlab', delivery: 'g1', after: SHA },
    ],
    [
      'GitLab push, wrong token',
      { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'nope' },
      push,
      { kind: 'unauthorized' },
    ],
    [
      'Azure DevOps push, right password',
      { authorization: basic('any', SECRET) },
      body({
        id: 'a1',
        eventType: 'git.push',
        resource: { refUpdates: [{ name: 'refs/heads/main', newObjectId: SHA }] },
      }),
      { kind: 'push', provider: 'azure-devops', delivery: 'a1', ref: 'refs/heads/main', after: SHA },
    ],
    [
      'Azure DevOps push, wrong password',
      { authorization: basic('any', 'nope') },
      push,
      { kind: 'unauthorized' },
    ],
    [
      'GitHub pull_request, right signature',
      { 'x-github-event': 'pull_request', 'x-github-delivery': 'p1', 'x-hub-signature-256': sign(pull) },
      pull,
      {
        kind: 'pull-request',
        provider: 'github',
        delivery: 'p1',
        event: { provider: 'github', repository: 'acme/models', number: 7, head: SHA, baseRef: 'main' },
      },
    ],
    [
      'GitHub pull_request sent as a form',
      {
        'x-github-event': 'pull_request',
        'x-hub-signature-256': sign(pullForm),
        'content-type': 'application/x-www-form-urlencoded',
      },
      pullForm,
      { kind: 'pull-request', event: { number: 7, head: SHA } },
    ],
    [
      'GitHub pull_request, wrong secret',
      { 'x-github-event': 'pull_request', 'x-hub-signature-256': sign(pull, 'other') },
      pull,
      { kind: 'unauthorized' },
    ],
    [
      'GitLab merge request, right token',
      { 'x-gitlab-event': 'Merge Request Hook', 'x-gitlab-token': SECRET, 'x-gitlab-event-uuid': 'm1' },
      mergeRequest,
      {
        kind: 'pull-request',
        provider: 'gitlab',
        delivery: 'm1',
        event: { provider: 'gitlab', repository: 'platform/models', number: 5, head: SHA, baseRef: 'main' },
      },
    ],
    [
      'GitLab merge request, wrong token',
      { 'x-gitlab-event': 'Merge Request Hook', 'x-gitlab-token': 'nope' },
      mergeRequest,
      { kind: 'unauthorized' },
    ],
    ['nothing to authenticate with', {}, push, { kind: 'unauthorized' }],
    [
      'signed garbage',
      { 'x-github-event': 'push', 'x-hub-signature-256': sign(Buffer.from('{no')) },
      Buffer.from('{no'),
      { kind: 'bad-request' },
    ],
  ])('%s', (_name, headers, payload, expected) => {
    expect(judgeWebhook(headers, payload, SECRET)).toMatchObject(expected);
  });
});

describe('RecentDeliveries', () => {
  it('knows the deliveries recorded as done and forgets the oldest beyond its limit', () => {
    const done = new RecentDeliveries(2);
    expect(done.has('a')).toBe(false);
    done.add('a');
    done.add('b');
    expect([done.has('a'), done.has('b')]).toEqual([true, true]);
    done.add('c');
    expect([done.has('a'), done.has('b'), done.has('c')]).toEqual([false, true, true]);
  });
});
