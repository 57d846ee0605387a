import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.ts';
import {
  Redactor,
  authorizationHeader,
  credentialSettingsFromEnv,
  credentialSourceFrom,
  parseRepositoryUrl,
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

describe('repository URLs from flags', () => {
  it.each([
    ['a user and password', 'https://user:s3cret@git.example/x.git', 's3cret'],
    ['a password with a space', 'https://user:pa ss@git.example/x.git', 'pa ss'],
    ['a password with a tab', 'https://user:pa\tss@git.example/x.git', 'pa\tss'],
    ['a token alone', 'https://ghp_abcdef@github.com/o/r.git', 'ghp_abcdef'],
    ['an empty userinfo', 'https://@git.example/x.git', '//@'],
    ['an @ inside the password', 'https://u:a@b@git.example/x.git', 'a@b'],
  ])('refuses %s, without repeating it', (_, url, secret) => {
    expect(() => parseRepositoryUrl(url, '--source')).toThrow(UsageError);
    expect(() => parseRepositoryUrl(url, '--source')).toThrow(/^--source must not carry credentials/);
    try {
      parseRepositoryUrl(url, '--source');
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it.each([
    ['ssh://git@github.com/o/r.git', /^--target must be an https:\/\//],
    ['git@github.com:o/r.git', /^--target is not a URL/],
  ])('refuses %s', (url, message) => {
    expect(() => parseRepositoryUrl(url, '--target')).toThrow(message);
  });

  it('returns the URL as the parser normalizes it', () => {
    expect(parseRepositoryUrl('HTTPS://Git.Example:443/team/x.git', '--source')).toBe(
      'https://git.example/team/x.git',
    );
  });

  it('redacts userinfo with spaces, tabs and @ in free text, as the URL parser splits it', () => {
    const redactor = new Redactor();
    for (const secret of ['pa ss', 'pa\tss', 'a@b', 'p%40x']) {
      const out = redactor.redact(`clone of https://user:${secret}@git.example/x.git failed\nnext line`);
      expect(out).toBe('clone of https://***@git.example/x.git failed\nnext line');
    }
    expect(redactUrl('https://user:pa ss@git.example/x.git')).toBe('https://git.example/x.git');
  });

  it('masks a known secret also in its URL-encoded form', () => {
    expect(new Redactor(['pa ss/word']).redact('x pa%20ss%2Fword y')).toBe('x *** y');
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
