/**
 * Registry auth against real registries: docker-registry with htpasswd basic auth, and with token auth
 * through the local bearer token server (scoped JWTs, basic-auth and refresh-token grants). Credentials
 * come from docker config files the way a user or a mounted Secret provides them; every failure is one
 * line that says what went wrong, exit 3.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DockerConfigCredentials,
  RegistryClient,
  RegistryDeniedError,
  parseReference,
  pullAdapter,
  pushAdapter,
} from '../../../src/oci/index.ts';
import { runCli } from '../../support/cli.ts';
import { fineTuningOutput, type AdapterFixture } from '../../support/oci-layout.ts';
import { startTokenServer, type TokenServer } from '../../support/registry-token-server.ts';
import { startRegistry, type TestRegistry } from '../../support/registry.ts';

let basic: TestRegistry;
let tokens: TokenServer;
let bearer: TestRegistry;
let work: string;
let adapter: AdapterFixture;

beforeAll(async () => {
  basic = await startRegistry({ users: { alice: 's3cret-basic' } });
  tokens = await startTokenServer({
    alice: { password: 's3cret-token', access: { '*': ['pull', 'push'] }, refreshToken: 'refresh-alice-123' },
    reader: { password: 'read-only', access: { '*': ['pull'] } },
  });
  bearer = await startRegistry({ token: tokens });
  work = await mkdtemp(join(tmpdir(), 'kaito-oci-auth-'));
  adapter = await fineTuningOutput(join(work, 'results'), 100_000);
});

afterAll(async () => {
  await basic?.close();
  await bearer?.close();
  await tokens?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function dockerConfig(
  name: string,
  auths: Record<string, object>,
  extra: object = {},
): Promise<string> {
  const file = join(work, name);
  await writeFile(file, JSON.stringify({ auths, ...extra }));
  return file;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('basic auth (htpasswd)', () => {
  it('pushes with a config.json "auth" entry and pulls with username/password from a Secret directory', async () => {
    const config = await dockerConfig('basic.json', { [basic.host]: { auth: b64('alice:s3cret-basic') } });
    const image = `${basic.host}/kaito/private:v1`;
    const pushed = await runCli(
      ['adapter', 'push', adapter.dir, image, '--plain-http', '--registry-config', config],
      work,
    );
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);

    // A mounted kubernetes.io/dockerconfigjson Secret: a directory holding .dockerconfigjson.
    const secret = join(work, 'pull-secret');
    await import('node:fs/promises').then((fs) => fs.mkdir(secret));
    await writeFile(
      join(secret, '.dockerconfigjson'),
      JSON.stringify({
        auths: { [`http://${basic.host}/v2/`]: { username: 'alice', password: 's3cret-basic' } },
      }),
    );
    const pulled = await runCli(
      ['adapter', 'pull', image, join(work, 'basic-out'), '--plain-http', '--registry-config', secret],
      work,
    );
    expect(pulled.code).toBe(0);
  });

  it('says the password is wrong, or that no credentials were given', async () => {
    const wrong = await dockerConfig('wrong.json', { [basic.host]: { username: 'alice', password: 'nope' } });
    const image = `${basic.host}/kaito/private:v1`;
    const bad = await runCli(
      ['adapter', 'pull', image, join(work, 'x1'), '--plain-http', '--registry-config', wrong],
      work,
    );
    expect(bad.code).toBe(3);
    expect(bad.stderr).toBe(
      `kaito-gitops adapter: ${basic.host}/kaito/private: get manifest v1: 401 UNAUTHORIZED: authentication required\n`,
    );
    const none = await runCli(['adapter', 'pull', image, join(work, 'x2'), '--plain-http'], work, {
      HOME: work,
    });
    expect(none.code).toBe(3);
    expect(none.stderr).toBe(
      `kaito-gitops adapter: ${basic.host}/kaito/private: get manifest v1: 401 UNAUTHORIZED: authentication required (no credentials were given for ${basic.host})\n`,
    );
  });

  it('explains that a credential helper is not run', async () => {
    const helper = await dockerConfig('helper.json', {}, { credsStore: 'desktop' });
    const { code, stderr } = await runCli(
      ['adapter', 'inspect', `${basic.host}/kaito/private:v1`, '--plain-http'],
      work,
      {
        DOCKER_CONFIG: work,
        REGISTRY_AUTH_FILE: helper,
      },
    );
    expect(code).toBe(3);
    expect(stderr).toBe(
      `kaito-gitops adapter: ${helper}: the credentials for ${basic.host} are kept by the credential helper "docker-credential-desktop", which kaito-gitops does not run; write them into a config file with "auths" (for example from a kubernetes.io/dockerconfigjson Secret) and pass it with --registry-config\n`,
    );
  });
});

describe('bearer token auth (token server)', () => {
  it('gets scoped tokens with basic credentials to push, and with a refresh token to pull', async () => {
    tokens.requests.length = 0;
    const image = `${bearer.host}/team/adapter:v1`;
    const pushConfig = await dockerConfig('alice.json', {
      [bearer.host]: { auth: b64('alice:s3cret-token') },
    });
    const pushed = await runCli(
      ['adapter', 'push', adapter.dir, image, '--plain-http', '--registry-config', pushConfig, '-o', 'json'],
      work,
    );
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    expect(tokens.requests.map((r) => [r.method, r.grant, r.user, r.scopes.join(' ')])).toEqual([
      ['GET', 'basic', 'alice', 'repository:team/adapter:pull'],
      ['GET', 'basic', 'alice', 'repository:team/adapter:pull,push'],
    ]);

    tokens.requests.length = 0;
    // ACR-style: `identitytoken` is a refresh token; the user name is a placeholder GUID.
    const refresh = await dockerConfig('refresh.json', {
      [bearer.host]: { username: '00000000-0000-0000-0000-000000000000', identitytoken: 'refresh-alice-123' },
    });
    const out = join(work, 'bearer-out');
    const pulled = await runCli(
      ['adapter', 'pull', image, out, '--plain-http', '--registry-config', refresh, '-o', 'json'],
      work,
    );
    expect(pulled.code).toBe(0);
    expect(JSON.parse(pulled.stdout).digest).toBe(JSON.parse(pushed.stdout).digest);
    expect(tokens.requests.map((r) => [r.method, r.grant, r.user])).toEqual([
      ['POST', 'refresh_token', 'alice'],
    ]);
  });

  it('tells a token without push rights (denied) from a wrong password and an unknown repository', async () => {
    const reader = DockerConfigCredentials.fromText(
      'reader.json',
      JSON.stringify({ auths: { [bearer.host]: { auth: b64('reader:read-only') } } }),
    );
    const client = new RegistryClient({ credentials: reader, plainHttp: true });
    const denied = pushAdapter(client, adapter.dir, parseReference(`${bearer.host}/team/adapter:v2`));
    await expect(denied).rejects.toBeInstanceOf(RegistryDeniedError);
    await expect(denied).rejects.toThrow(
      `${bearer.host}/team/adapter: start blob upload: 401 UNAUTHORIZED: authentication required (insufficient_scope: not allowed repository:team/adapter:pull,push)`,
    );
    await pullAdapter(client, parseReference(`${bearer.host}/team/adapter:v1`), join(work, 'reader-out'));
    client.close();

    const wrong = await dockerConfig('wrong-token.json', { [bearer.host]: { auth: b64('alice:wrong') } });
    const bad = await runCli(
      ['adapter', 'inspect', `${bearer.host}/team/adapter:v1`, '--plain-http', '--registry-config', wrong],
      work,
    );
    expect(bad.code).toBe(3);
    expect(bad.stderr).toBe(
      `kaito-gitops adapter: ${bearer.host}: token service ${tokens.realm} refused the credentials (401: incorrect username or password)\n`,
    );

    const alice = await dockerConfig('alice2.json', { [bearer.host]: { auth: b64('alice:s3cret-token') } });
    const missing = await runCli(
      ['adapter', 'inspect', `${bearer.host}/team/unknown:v1`, '--plain-http', '--registry-config', alice],
      work,
    );
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe(
      `kaito-gitops adapter: ${bearer.host}/team/unknown: get manifest v1: 404 MANIFEST_UNKNOWN: manifest unknown\n`,
    );
  });
});
