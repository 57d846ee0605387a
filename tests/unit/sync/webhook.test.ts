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
  it.each([
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
  it('answers true once per id and forgets the oldest beyond its limit', () => {
    const seen = new RecentDeliveries(2);
    expect([seen.add('a'), seen.add('a'), seen.add('b'), seen.add('c'), seen.add('a')]).toEqual([
      true,
      false,
      true,
      true,
      true,
    ]);
  });
});
