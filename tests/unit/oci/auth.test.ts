import { describe, expect, it } from 'vitest';
import { parseChallenge } from '../../../src/oci/auth.ts';
import { DockerConfigCredentials, registryKey } from '../../../src/oci/credentials.ts';
import { RegistryCredentialsError } from '../../../src/oci/errors.ts';
import { retryAfterMs } from '../../../src/oci/transport.ts';

describe('parseChallenge', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"',
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/ubuntu:pull',
        },
      },
    ],
    ['Basic realm="basic-realm"', { scheme: 'basic', params: { realm: 'basic-realm' } }],
    [
      'Bearer realm="https://r.example/oauth2/token",service="r.example",error="insufficient_scope"',
      {
        scheme: 'bearer',
        params: {
          realm: 'https://r.example/oauth2/token',
          service: 'r.example',
          error: 'insufficient_scope',
        },
      },
    ],
    ['Bearer realm=unquoted, service=x', { scheme: 'bearer', params: { realm: 'unquoted', service: 'x' } }],
  ])('%s', (value, expected) => expect(parseChallenge(value)).toEqual(expected));
});

describe('docker config credentials', () => {
  const text = JSON.stringify({
    auths: {
      'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
      'myregistry.azurecr.io': { username: '00000000-0000-0000-0000-000000000000', identitytoken: 'refresh' },
      'http://127.0.0.1:5000/v2/': { username: 'alice', password: 'pw' },
    },
    credHelpers: { 'gcr.io': 'gcloud' },
  });
  const credentials = DockerConfigCredentials.fromText('config.json', text);

  it('reads auth, username/password and identitytoken, under any spelling of the registry', () => {
    expect(credentials.lookup('docker.io')).toEqual({ username: 'hubuser', password: 'hubpass' });
    expect(credentials.lookup('myregistry.azurecr.io')).toEqual({
      username: '00000000-0000-0000-0000-000000000000',
      identityToken: 'refresh',
    });
    expect(credentials.lookup('127.0.0.1:5000')).toEqual({ username: 'alice', password: 'pw' });
    expect(credentials.lookup('ghcr.io')).toBeUndefined();
    expect(registryKey('https://registry-1.docker.io/v2/')).toBe('docker.io');
  });

  it('refuses a registry whose credentials sit in a helper', () => {
    expect(() => credentials.lookup('gcr.io')).toThrow(RegistryCredentialsError);
    expect(() => credentials.lookup('gcr.io')).toThrow('docker-credential-gcloud');
  });

  it('reads the legacy .dockercfg format and explains a file that is not JSON', () => {
    const legacy = DockerConfigCredentials.fromText(
      '.dockercfg',
      JSON.stringify({ 'quay.io': { auth: Buffer.from('u:p').toString('base64') } }),
    );
    expect(legacy.lookup('quay.io')).toEqual({ username: 'u', password: 'p' });
    expect(() => DockerConfigCredentials.fromText('x.json', '{oops')).toThrow(
      /^x\.json: not a docker config file/,
    );
  });
});

describe('retryAfterMs', () => {
  it.each([
    ['7', 7000],
    ['0', 0],
    ['Wed, 21 Oct 2015 07:28:05 GMT', 5000],
    ['soon', undefined],
    [undefined, undefined],
  ])('%s', (value, expected) => {
    expect(retryAfterMs(value, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(expected);
  });
});
