/**
 * `kaito-gitops report plan` end to end: a source repository on the real git server, a pull request
 * branch pushed to it, a CI checkout cloned from it with the git CLI, and the command posting to the
 * local GitHub (and GitLab) API servers through the real SDKs.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_LIMIT, COMMENT_MARKER } from '../../../src/report/comment-body.ts';
import { runCli } from '../../support/cli.ts';
import { git, startGitRemote, type GitRemote } from '../../support/git-remote.ts';
import { startGitHubApiServer, type GitHubApiServer } from '../../support/github-api-server.ts';
import { startGitLabApiServer, type GitLabApiServer } from '../../support/gitlab-api-server.ts';
import { misspelt, phi3 } from '../../support/report-specs.ts';

const TOKEN = 'ghs_ci_token_abcdef0123';
const DIR = 'gitops/workspaces';
let remote: GitRemote;
let github: GitHubApiServer;
let gitlab: GitLabApiServer;
let dev: string;
let ci: string;

/** Writes files in the developer's clone, commits and pushes the branch; returns the commit. */
async function push(branch: string, files: Record<string, string>, message: string): Promise<string> {
  for (const [path, content] of Object.entries(files)) await writeFile(join(dev, DIR, path), content);
  await git(dev, 'add', '-A');
  await git(dev, 'commit', '-q', '-m', message);
  await git(dev, 'push', '-q', 'origin', `HEAD:refs/heads/${branch}`);
  return (await git(dev, 'rev-parse', 'HEAD')).trim();
}

/** What CI does on each pull request event: fetch and check out the head. */
async function checkout(sha: string): Promise<void> {
  await git(ci, 'fetch', '-q', 'origin');
  await git(ci, 'checkout', '-q', sha);
}

beforeAll(async () => {
  [remote, github, gitlab] = await Promise.all([
    startGitRemote(),
    startGitHubApiServer(),
    startGitLabApiServer(),
  ]);
  github.addToken(TOKEN);
  gitlab.addToken('glpat-ci-0123456789');
  await remote.createRepo('source');
  dev = await remote.scratch('dev');
  await git(dev, 'init', '-q', '-b', 'main');
  await git(dev, 'remote', 'add', 'origin', remote.authedUrl('source'));
  await git(dev, 'commit', '-q', '--allow-empty', '-m', 'start');
  await git(dev, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  await git(dev, 'checkout', '-q', '-b', 'work');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(dev, DIR), { recursive: true });
  await push(
    'main',
    { 'a.yaml': phi3('alpha'), 'b.yaml': phi3('beta'), 'c.yaml': phi3('gamma') },
    'three models',
  );
  ci = join(remote.root, 'ci');
  await git(remote.root, 'clone', '-q', remote.authedUrl('source'), ci);
});
afterAll(async () => {
  await Promise.all([remote.close(), github.close(), gitlab.close()]);
});

describe('report plan on GitHub', () => {
  const args = [
    'report',
    'plan',
    '--base',
    'origin/main',
    '--head',
    'HEAD',
    '--github',
    'acme/models',
    '--pr',
    '7',
  ];
  const env = () => ({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url });
  const statusOf = (sha: string) =>
    github
      .repository('acme/models')
      .statuses.filter((s) => s.sha === sha && s.context === 'kaito-gitops/plan')
      .map((s) => s.state);

  it('comments the changed plan, the diff and the refusal once, and fails the status', async () => {
    const repo = github.repository('acme/models');
    const head = await push(
      'feature',
      { 'a.yaml': phi3('alpha', 'Standard_NC12s_v3'), 'b.yaml': misspelt('beta') },
      'bigger alpha; a typo in beta',
    );
    repo.commits.add(head);
    await checkout(head);
    const run = await runCli(args, ci, env());
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      /^created comment \d+ on acme\/models#7: 0 added, 1 changed, 0 removed, 1 refused; kaito-gitops\/plan: failure\n$/,
    );
    expect(run.code).toBe(1);
    expect(repo.comments).toHaveLength(1);
    const body = repo.comments[0]?.body ?? '';
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain('**0 added, 1 changed, 0 removed, 1 refused**, 1 unchanged');
    expect(body).toContain(
      'gitops/workspaces/b.yaml:13: inference.preset.name: Unsupported inference preset name phi-3-mini-4k-instruc',
    );
    expect(body).toContain('| instanceType | `Standard_NC6s_v3` → **`Standard_NC12s_v3`** |');
    expect(body).toMatch(/<details><summary>Manifest diff: 2 files, \+3 −3<\/summary>/);
    expect(body).toContain('+  instanceType: Standard_NC12s_v3');
    expect(statusOf(head)).toEqual(['failure']);
    expect(repo.statuses.at(-1)?.description).toBe('1 spec refused: see the kaito-gitops comment');
  });

  it('edits the same comment and passes the status once the fix is pushed', async () => {
    const repo = github.repository('acme/models');
    const id = repo.comments[0]?.id;
    const head = await push('feature', { 'b.yaml': phi3('beta') }, 'fix the typo');
    repo.commits.add(head);
    await checkout(head);
    const run = await runCli(args, ci, env());
    expect(run.stdout).toBe(
      `updated comment ${id} on acme/models#7: 0 added, 1 changed, 0 removed, 0 refused; kaito-gitops/plan: success\n`,
    );
    expect(run.code).toBe(0);
    expect(repo.comments.map((c) => c.id)).toEqual([id]);
    expect(repo.comments[0]?.body).not.toContain('Refused specs');
    expect(statusOf(head)).toEqual(['success']);
    expect(repo.statuses.at(-1)?.description).toBe(
      '1 workspace to change (0 added, 1 changed, 0 removed), GPUs 3 → 4, $9.18/h → $12.24/h',
    );
  });

  it('cuts an oversize comment to the limit and says so', async () => {
    const repo = github.repository('acme/models');
    const many = Object.fromEntries(
      Array.from({ length: 120 }, (_, i) => [`new-${i}.yaml`, phi3(`new-${i}`)]),
    );
    const head = await push('feature', many, '120 more models');
    repo.commits.add(head);
    await checkout(head);
    const run = await runCli(args, ci, env());
    expect(run.code).toBe(0);
    expect(repo.comments).toHaveLength(1);
    const body = repo.comments[0]?.body ?? '';
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain('This comment is cut to fit the 65,536-character limit');
    expect(body).toMatch(
      /Run `kaito-gitops report plan --base [0-9a-f]{12} --head [0-9a-f]{12}` in a checkout/,
    );
    expect(body).toContain('**120 added, 1 changed, 0 removed, 0 refused**');
  });

  it('prints the comment instead of posting it without a provider, and exits 3 when the provider fails', async () => {
    const printed = await runCli(['report', 'plan', '--base', 'origin/main'], ci, {});
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^### kaito-gitops plan\n/);
    expect(printed.stdout).not.toContain('cut to fit'); // stdout has no limit
    const json = await runCli(['report', 'plan', '--base', 'origin/main', '-o', 'json'], ci, {});
    const parsed = JSON.parse(json.stdout) as { summary: { added: number }; status: { state: string } };
    expect(parsed.summary.added).toBe(120);
    expect(parsed.status.state).toBe('success');
    const refused = await runCli(args, ci, { GITHUB_TOKEN: 'wrong-token', GITHUB_API_URL: github.url });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toBe(
      'kaito-gitops report: GitHub: list comments of acme/models#7: 401 Bad credentials (the credentials were refused: check GITHUB_TOKEN, KAITO_GITOPS_GITHUB_TOKEN[_FILE] or the GitHub App settings)\n',
    );
  });

  it('authenticates as a GitHub App from the environment', async () => {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    github.addApp({
      appId: 99,
      publicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      installationId: 123,
    });
    await writeFile(
      join(remote.root, 'app.pem'),
      keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    );
    const minted = github.mintedTokens.length;
    const run = await runCli(args, ci, {
      GITHUB_API_URL: github.url,
      KAITO_GITOPS_GITHUB_APP_ID: '99',
      KAITO_GITOPS_GITHUB_APP_PRIVATE_KEY_FILE: join(remote.root, 'app.pem'),
      KAITO_GITOPS_GITHUB_APP_INSTALLATION_ID: '123',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^unchanged comment/);
    expect(github.mintedTokens.length).toBe(minted + 1);
  });
});

describe('report plan on GitLab', () => {
  it('writes the merge request note and the commit status', async () => {
    const project = gitlab.project('platform/models');
    const head = (await git(ci, 'rev-parse', 'HEAD')).trim();
    project.commits.add(head);
    project.mergeRequests.push({ iid: 5, state: 'opened', commits: [head] });
    const run = await runCli(
      [
        'report',
        'plan',
        '--base',
        'origin/main',
        '--gitlab',
        'platform/models',
        '--mr',
        '5',
        '--gitlab-url',
        gitlab.url,
      ],
      ci,
      { KAITO_GITOPS_GITLAB_TOKEN: 'glpat-ci-0123456789' },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^created comment \d+ on platform\/models!5: 120 added, 1 changed/);
    expect(project.notes).toHaveLength(1);
    expect(project.notes[0]?.body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(project.statuses.map((s) => [s.name, s.status])).toEqual([['kaito-gitops/plan', 'success']]);
  });
});
