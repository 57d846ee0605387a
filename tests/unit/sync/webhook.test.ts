import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeliveryLog, decide, validSignature } from '../../../src/sync/webhook.ts';

const body = Buffer.from('{"ref":"refs/heads/main","after":"abc"}');
const good = `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`;

describe('validSignature', () => {
  it.each([
    [good, true],
    [undefined, false],
    ['', false],
    [good.replace('sha256=', 'sha1='), false],
    [good.slice(0, -2), false],
    [`sha256=${createHmac('sha256', 'other').update(body).digest('hex')}`, false],
    ['sha256=zz', false],
  ])('%s → %s', (header, expected) => {
    expect(validSignature('s3cret', body, header)).toBe(expected);
  });
});

describe('decide', () => {
  const context = { sourceRef: 'main', lastSynced: 'old', seen: (id: string) => id === 'seen' };
  it.each([
    ['ping', 'x', body, 'ignore', 200],
    ['issues', 'x', body, 'ignore', 202],
    ['push', 'seen', body, 'ignore', 202],
    ['push', 'x', Buffer.from('not json'), 'ignore', 400],
    ['push', 'x', Buffer.from('{"ref":"refs/heads/dev","after":"abc"}'), 'ignore', 202],
    ['push', 'x', Buffer.from('{"ref":"refs/heads/main","after":"old"}'), 'ignore', 202],
    ['push', 'x', Buffer.from('{"ref":"refs/heads/main"}'), 'ignore', 400],
    ['push', 'x', body, 'sync', undefined],
  ])('%s delivery %s', (event, delivery, payload, action, status) => {
    const decision = decide(event, delivery, payload, context);
    expect(decision.action).toBe(action);
    if (decision.action === 'ignore') expect(decision.status).toBe(status);
  });
});

it('DeliveryLog remembers the last ids up to its capacity', () => {
  const log = new DeliveryLog(2);
  expect([log.seen('a'), log.seen('a'), log.seen('b'), log.seen('c'), log.seen('a')]).toEqual([
    false,
    true,
    false,
    false,
    false,
  ]);
});
