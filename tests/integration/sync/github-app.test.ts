/**
 * `sync` as a GitHub App: the installation token is minted from the app's key (the local GitHub API
 * server verifies the JWT) and used as the git password (`x-access-token`), against the real git server.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHttpServer, type GitHttpServer } from '../../../src/sync/git-http-server.ts';
import { runCli } from '../../support/cli.ts';
import { git } from '../../support/git-remote.ts';
import { startGitHubApiServer, type GitHubApiServer } from '../../support/github-api-server.ts';

const TOKEN = 'ghs_installation_token_for_git_0001';
let root: string;
let gitServer: GitHttpServer;
let github: GitHubApiServer;
const users: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kaito-sync-app-'));
  await mkdir(join(root, 'repos'));
  gitServer = await startGitHttpServer({
    root: join(root, 'repos'),
    users: { 'x-access-token': TOKEN },
    onRequest: (r) => users.push(r.user ?? ''),
  });
  github = await startGitHubApiServer();
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  github.addApp({
    appId: 31,
    publicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    installationId: 62,
    tokens: [TOKEN],
  });
  await writeFile(join(root, 'app.pem'), keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  await git(root, 'init', '-q', '--bare', '-b', 'main', join(root, 'repos', 'models.git'));
  const dev = join(root, 'dev');
  await mkdir(join(dev, 'specs'), { recursive: true });
  await writeFile(
    join(dev, 'specs', 'phi.yaml'),
    await readFile(join(import.meta.dirname, '../../../gitops/workspaces/phi-3-mini.yaml'), 'utf8'),
  );
  await git(dev, 'init', '-q', '-b', 'main');
  await git(dev, 'add', '-A');
  await git(dev, 'commit', '-q', '-m', 'one model');
  await git(
    dev,
    'push',
    '-q',
    gitServer.url.replace('://', `://x-access-token:${TOKEN}@`) + '/models.git',
    'main',
  );
});
afterAll(async () => {
  await Promise.all([gitServer.close(), github.close()]);
  await rm(root, { recursive: true, force: true });
});

describe('sync with a GitHub App', () => {
  it('mints an installation token and uses it for git', async () => {
    users.length = 0;
    const run = await runCli(
      [
        'sync',
        '--source',
        `${gitServer.url}/models.git`,
        '--source-path',
        'specs',
        '--cache-dir',
        join(root, 'cache'),
        '--once',
      ],
      root,
      {
        GITHUB_API_URL: github.url,
        KAITO_GITOPS_GITHUB_APP_ID: '31',
        KAITO_GITOPS_GITHUB_APP_INSTALLATION_ID: '62',
        KAITO_GITOPS_GITHUB_APP_PRIVATE_KEY_FILE: join(root, 'app.pem'),
      },
    );
    expect(run.stdout).toMatch(/^pushed [0-9a-f]{12} on /);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain(TOKEN);
    expect(github.mintedTokens.map((t) => t.token)).toEqual([TOKEN]);
    expect(new Set(users)).toEqual(new Set(['x-access-token']));
    expect(
      (await git(join(root, 'repos', 'models.git'), 'ls-tree', '-r', '--name-only', 'deploy')).split('\n'),
    ).toContain('workspaces/default/workspace-phi-3-mini/workspace-workspace-phi-3-mini.yaml');
  });

  it('refuses an app and git credentials together', async () => {
    const run = await runCli(['sync', '--source', `${gitServer.url}/models.git`, '--once'], root, {
      KAITO_GITOPS_GIT_TOKEN: 'x',
      KAITO_GITOPS_GITHUB_APP_ID: '31',
      KAITO_GITOPS_GITHUB_APP_INSTALLATION_ID: '62',
      KAITO_GITOPS_GITHUB_APP_PRIVATE_KEY_FILE: join(root, 'app.pem'),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'set either a GitHub App (KAITO_GITOPS_GITHUB_APP_*) or KAITO_GITOPS_GIT_*, not both',
    );
  });
});
