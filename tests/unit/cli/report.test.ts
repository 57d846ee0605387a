import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.ts';
import { apiUrlOf, githubAuthFromEnv, gitlabTokenFromEnv } from '../../../src/cli/code-host.ts';
import { runCli } from '../../support/cli.ts';

describe('report plan flags', () => {
  it.each([
    [[], 'name the report: plan'],
    [['apply'], 'unknown report "apply"'],
    [['plan'], '--base REF is required'],
    [['plan', '--base', 'main', '--github', 'acme'], '--github must be OWNER/REPO, not "acme"'],
    [['plan', '--base', 'main', '--github', 'acme/x'], '--pr N is required with a provider'],
    [
      ['plan', '--base', 'main', '--github', 'acme/x', '--pr', '0'],
      '--pr must be a pull request number, not "0"',
    ],
    [['plan', '--base', 'main', '--pr', '3'], '--pr and --github-api-url go with --github OWNER/REPO'],
    [['plan', '--base', 'main', '--github', 'a/b', '--gitlab', 'c/d'], 'use --github or --gitlab, not both'],
    [
      ['plan', '--base', 'main', '--gitlab', 'g/p', '--mr', '1', '--gitlab-url', 'ftp://x'],
      '--gitlab-url must be an https:// URL',
    ],
    [
      ['plan', '--base', 'main', '--github', 'a/b', '--pr', '1', '--github-api-url', 'https://u:p@ghe'],
      'must not carry credentials',
    ],
    [['plan', '--base', 'main', '-o', 'yaml'], '--output must be "markdown" or "json", not "yaml"'],
  ])('%j → exit 2: %s', async (args, message) => {
    const run = await runCli(['report', ...args], process.cwd());
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toContain(message);
  });
});

describe('credentials from the environment', () => {
  const files: Record<string, string> = {
    '/s/token': 'from-file\n',
    '/s/empty': '  \n',
    '/s/key.pem': '-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n',
  };
  const read = (path: string) =>
    files[path] === undefined ? Promise.reject(new Error('ENOENT')) : Promise.resolve(files[path] ?? '');

  it.each([
    [{ GITHUB_TOKEN: 'actions' }, { token: 'actions' }],
    [{ GITHUB_TOKEN: 'actions', KAITO_GITOPS_GITHUB_TOKEN: 'ours' }, { token: 'ours' }],
    [{ KAITO_GITOPS_GITHUB_TOKEN_FILE: '/s/token' }, { token: 'from-file' }],
    [
      {
        KAITO_GITOPS_GITHUB_APP_ID: '12',
        KAITO_GITOPS_GITHUB_APP_PRIVATE_KEY_FILE: '/s/key.pem',
        KAITO_GITOPS_GITHUB_APP_INSTALLATION_ID: '34',
      },
      { app: { appId: '12', privateKey: files['/s/key.pem'], installationId: 34 } },
    ],
    [
      {
        KAITO_GITOPS_GITHUB_APP_ID: '12',
        KAITO_GITOPS_GITHUB_APP_PRIVATE_KEY: files['/s/key.pem'] ?? '',
        KAITO_GITOPS_GITHUB_APP_INSTALLATION_ID: '34',
      },
      { app: { appId: '12', privateKey: files['/s/key.pem']?.trim(), installationId: 34 } },
    ],
  ])('GitHub %j', async (env, auth) => {
    expect(await githubAuthFromEnv(env, read)).toEqual(auth);
  });

  it.each([
    [{}, '--github needs credentials'],
    [{ KAITO_GITOPS_GITHUB_TOKEN: 'a', KAITO_GITOPS_GITHUB_TOKEN_FILE: '/s/token' }, 'not both'],
    [{ KAITO_GITOPS_GITHUB_TOKEN_FILE: '/s/empty' }, 'is empty'],
    [{ KAITO_GITOPS_GITHUB_TOKEN_FILE: '/s/missing' }, 'cannot read /s/missing'],
    [
      { KAITO_GITOPS_GITHUB_APP_ID: '12' },
      'needs KAITO_GITOPS_GITHUB_APP_INSTALLATION_ID and KAITO_GITOPS_GITHUB_APP_PRIVATE_KEY_FILE',
    ],
    [
      {
        KAITO_GITOPS_GITHUB_APP_ID: '12',
        KAITO_GITOPS_GITHUB_APP_PRIVATE_KEY_FILE: '/s/token',
        KAITO_GITOPS_GITHUB_APP_INSTALLATION_ID: '3',
      },
      'is not a PEM private key',
    ],
    [
      {
        KAITO_GITOPS_GITHUB_APP_ID: '12',
        KAITO_GITOPS_GITHUB_APP_PRIVATE_KEY_FILE: '/s/key.pem',
        KAITO_GITOPS_GITHUB_APP_INSTALLATION_ID: '3',
        KAITO_GITOPS_GITHUB_TOKEN: 'x',
      },
      'either a GitHub App',
    ],
  ])('GitHub %j is refused: %s', async (env, message) => {
    const error = await githubAuthFromEnv(env, read).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
  });

  it('reads the GitLab token, and needs one', async () => {
    expect(await gitlabTokenFromEnv({ KAITO_GITOPS_GITLAB_TOKEN_FILE: '/s/token' }, read)).toBe('from-file');
    await expect(gitlabTokenFromEnv({}, read)).rejects.toThrow(UsageError);
  });

  it.each([
    [{ provider: 'github', repository: 'a/b' }, {}, 'https://api.github.com'],
    [
      { provider: 'github', repository: 'a/b' },
      { GITHUB_API_URL: 'https://ghe.example/api/v3' },
      'https://ghe.example/api/v3',
    ],
    [
      { provider: 'github', repository: 'a/b', apiUrl: 'http://127.0.0.1:1' },
      { GITHUB_API_URL: 'x' },
      'http://127.0.0.1:1',
    ],
    [
      { provider: 'gitlab', repository: 'a/b' },
      { CI_SERVER_URL: 'https://gitlab.example' },
      'https://gitlab.example',
    ],
    [{ provider: 'gitlab', repository: 'a/b' }, {}, 'https://gitlab.com'],
  ] as const)('API root of %j with %j', (target, env, url) => {
    expect(apiUrlOf(target, env)).toBe(url);
  });
});
