import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.ts';
import { apiHost, formatReference, parseReference } from '../../../src/oci/reference.ts';

describe('parseReference', () => {
  it.each([
    ['phi-3-adapter', { registry: 'docker.io', repository: 'library/phi-3-adapter', tag: 'latest' }],
    ['kaito/adapter:0.0.1', { registry: 'docker.io', repository: 'kaito/adapter', tag: '0.0.1' }],
    [
      'myregistry.azurecr.io/adapters/phi-3:v2',
      { registry: 'myregistry.azurecr.io', repository: 'adapters/phi-3', tag: 'v2' },
    ],
    ['127.0.0.1:5000/kaito/a:t1', { registry: '127.0.0.1:5000', repository: 'kaito/a', tag: 't1' }],
    ['localhost/a', { registry: 'localhost', repository: 'a', tag: 'latest' }],
    [
      'index.docker.io/library/busybox:1.36',
      { registry: 'docker.io', repository: 'library/busybox', tag: '1.36' },
    ],
    [
      `ghcr.io/o/a@sha256:${'a'.repeat(64)}`,
      { registry: 'ghcr.io', repository: 'o/a', digest: `sha256:${'a'.repeat(64)}` },
    ],
    [
      `ghcr.io/o/a:v1@sha256:${'b'.repeat(64)}`,
      { registry: 'ghcr.io', repository: 'o/a', tag: 'v1', digest: `sha256:${'b'.repeat(64)}` },
    ],
  ])('%s', (input, expected) => {
    expect(parseReference(input)).toEqual(expected);
  });

  it.each([
    ['kaito/Adapter', 'repository "kaito/Adapter" must be lowercase letters, digits and separators'],
    ['ghcr.io/o/a@sha256:abc', 'digest "sha256:abc" is not sha256:<64 hex digits>'],
    ['ghcr.io/o/a:-bad', 'tag "-bad" has characters a tag cannot have'],
  ])('refuses %s', (input, why) => {
    expect(() => parseReference(input)).toThrow(UsageError);
    expect(() => parseReference(input)).toThrow(`"${input}" is not an image reference (${why})`);
  });

  it('formats back and knows where Docker Hub answers', () => {
    expect(formatReference(parseReference('kaito/adapter:1'))).toBe('docker.io/kaito/adapter:1');
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('ghcr.io')).toBe('ghcr.io');
  });
});
