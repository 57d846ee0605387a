import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../../src/api/index.ts';

describe('parseImageReference (Docker reference grammar, as Kaito parses images)', () => {
  it.each([
    ['ubuntu', { domain: 'docker.io', path: 'library/ubuntu', tag: 'latest' }],
    [
      'myregistry.azurecr.io/kaito-falcon-7b:0.0.4',
      { domain: 'myregistry.azurecr.io', path: 'kaito-falcon-7b', tag: '0.0.4' },
    ],
    ['localhost:5000/a/b_c__d-e:v1.2', { domain: 'localhost:5000', path: 'a/b_c__d-e', tag: 'v1.2' }],
    ['index.docker.io/org/app', { domain: 'docker.io', path: 'org/app', tag: 'latest' }],
    ['[::1]:5000/app:1', { domain: '[::1]:5000', path: 'app', tag: '1' }],
    [
      `r.io/app@sha256:${'a'.repeat(64)}`,
      { domain: 'r.io', path: 'app', digest: `sha256:${'a'.repeat(64)}` },
    ],
  ])('accepts %s', (input, reference) => {
    expect(parseImageReference(input)).toEqual({ ok: true, reference });
  });

  it.each([
    [
      'ACR_REPO_HERE.azurecr.io/IMAGE_NAME_HERE:0.0.1',
      'invalid reference format: repository name (IMAGE_NAME_HERE) must be lowercase',
    ],
    ['<YOUR_IMAGE>', 'invalid reference format: repository name (library/<YOUR_IMAGE>) must be lowercase'],
    ['<your-image>', 'invalid reference format'],
    ['r.io/app:', 'invalid reference format'],
    ['r.io/app:tag with space', 'invalid reference format'],
    ['', 'repository name must have at least one component'],
    [
      'a'.repeat(64),
      `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`,
    ],
    [`r.io/${'a'.repeat(260)}`, 'repository name must not be more than 255 characters'],
    [`r.io/app@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    [`r.io/app@sha256:${'a'.repeat(40)}`, 'invalid checksum digest length'],
    ['Upper_Case.io:x/app', 'invalid reference format'],
  ])('refuses %s', (input, error) => {
    expect(parseImageReference(input)).toEqual({ ok: false, error });
  });
});
