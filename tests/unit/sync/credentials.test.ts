import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.ts';
import {
  Redactor,
  authorizationHeader,
  credentialSettingsFromEnv,
  credentialSourceFrom,
  redactUrl,
} from '../../../src/sync/credentials.ts';

describe('redaction', () => {
  it.each([
    ['https://user:s3cret@git.example/x.git', 'https://git.example/x.git'],
    ['https://x-access-token:ghs_abc@github.com/o/r', 'https://github.com/o/r'],
    ['https://git.example/x.git', 'https://git.example/x.git'],
  ])('redactUrl(%s)', (url, expected) => expect(redactUrl(url)).toBe(expected));

  it('masks known secrets, their base64 and any URL userinfo in free text', () => {
    const redactor = new Redactor(['tok-123456']);
    const header =
      authorizationHeader({ username: 'x-access-token', password: 'tok-123456' }).Authorization ?? '';
    const text = `failed https://u:p@host/x.git with tok-123456 and ${header}`;
    const out = redactor.redact(text);
    expect(out).not.toContain('tok-123456');
    expect(out).not.toContain('u:p@');
    expect(out).not.toContain(header.slice('Basic '.length));
  });
});

describe('credentials from the environment', () => {
  const read = (files: Record<string, string>) => (path: string) => Promise.resolve(files[path] ?? '');

  it('a token becomes x-access-token basic auth, read from a file on every call (rotation)', async () => {
    const files: Record<string, string> = { '/t': 'ghs_first\n' };
    const redactor = new Redactor();
    const source = credentialSourceFrom(
      credentialSettingsFromEnv({ P_TOKEN_FILE: '/t' }, 'P'),
      read(files),
      redactor,
    );
    expect(await source()).toEqual({ username: 'x-access-token', password: 'ghs_first' });
    files['/t'] = 'ghs_second';
    expect(await source()).toEqual({ username: 'x-access-token', password: 'ghs_second' });
    expect(redactor.redact('ghs_first ghs_second')).toBe('*** ***');
  });

  it('username and password, or nothing at all', async () => {
    const redactor = new Redactor();
    const settings = credentialSettingsFromEnv({ P_USERNAME: 'bot', P_PASSWORD: 'pw-1234' }, 'P');
    expect(await credentialSourceFrom(settings, read({}), redactor)()).toEqual({
      username: 'bot',
      password: 'pw-1234',
    });
    expect(credentialSettingsFromEnv({}, 'P')).toBeUndefined();
  });

  it.each([
    [{ P_TOKEN: 'a', P_PASSWORD: 'b' }, 'set only one of'],
    [{ P_USERNAME: 'bot' }, 'without a token or password'],
    [{ P_PASSWORD: 'pw' }, 'P_PASSWORD needs P_USERNAME'],
  ])('refuses %j', (env, message) => {
    expect(() => credentialSettingsFromEnv(env, 'P')).toThrow(UsageError);
    expect(() => credentialSettingsFromEnv(env, 'P')).toThrow(message);
  });
});
