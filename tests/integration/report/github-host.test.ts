import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../../src/errors.ts';
import { composeComment, COMMENT_LIMIT } from '../../../src/report/comment-body.ts';
import { GitHubHost } from '../../../src/report/github.ts';
import { ProviderError } from '../../../src/report/provider.ts';
import { writeSection } from '../../../src/report/sticky-comment.ts';
import { startGitHubApiServer, type GitHubApiServer } from '../../support/github-api-server.ts';
import { reportPlanCaller } from '../../../src/cli/code-host.ts';

/** These hosts are opened as `report plan` opens them: a 404 names its flags. */
const AS_REPORT_PLAN = reportPlanCaller('github').notFound;

const TOKEN = 'ghp_test_token_0123456789';
const SHA = 'c0ffee'.padEnd(40, '0');
let github: GitHubApiServer;

beforeAll(async () => {
  github = await startGitHubApiServer();
  github.addToken(TOKEN);
});
afterAll(async () => {
  await github.close();
});

const host = (repository: string, extra: Partial<ConstructorParameters<typeof GitHubHost>[0]> = {}) =>
  new GitHubHost({
    repository,
    apiUrl: github.url,
    auth: { token: TOKEN },
    writeSpacingMs: 0,
    notFound: AS_REPORT_PLAN,
    ...extra,
  });

describe('GitHubHost and the sticky comment', () => {
  it('finds its comment on page 2 and edits it in place', async () => {
    const repo = github.repository('acme/models');
    const now = new Date().toISOString();
    for (let i = 0; i < 150; i++) {
      const body =
        i === 120 ? composeComment({ plan: 'old plan\n', status: 'live\n' }) : `review comment ${i}`;
      repo.comments.push({
        id: 10_000 + i,
        issue: 7,
        body,
        login: 'someone',
        createdAt: now,
        updatedAt: now,
      });
    }
    const before = github.requests.length;
    const result = await writeSection(host('acme/models'), 7, 'plan', () => 'new plan\n');
    expect(result).toEqual({ commentId: 10_120, action: 'updated' });
    const made = github.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(made).toEqual([
      'GET /repos/acme/models/issues/7/comments',
      `GET /repositories/${repo.id}/issues/7/comments`,
      'PATCH /repos/acme/models/issues/comments/10120',
    ]);
    expect(repo.comments).toHaveLength(150);
    expect(repo.comments[120]?.body).toBe(composeComment({ plan: 'new plan\n', status: 'live\n' }));
  });

  it('creates the comment once, writes nothing when a re-run changes nothing, and removes duplicates', async () => {
    const repo = github.repository('acme/fresh');
    const gh = host('acme/fresh');
    expect((await writeSection(gh, 1, 'plan', () => 'plan\n')).action).toBe('created');
    expect((await writeSection(gh, 1, 'plan', () => 'plan\n')).action).toBe('unchanged');
    // a second writer raced us and created its own
    await gh.createComment(1, composeComment({ plan: 'raced\n' }));
    expect(repo.comments).toHaveLength(2);
    const result = await writeSection(gh, 1, 'plan', () => 'plan 2\n');
    expect(result.action).toBe('updated');
    expect(repo.comments.map((c) => c.body)).toEqual([composeComment({ plan: 'plan 2\n' })]);
  });

  it('keeps the whole body within the limit when its section is huge', async () => {
    const repo = github.repository('acme/huge');
    const gh = host('acme/huge');
    await writeSection(gh, 2, 'status', () => 'status table\n');
    await writeSection(gh, 2, 'plan', (budget) => `${'x'.repeat(budget - 1)}\n`);
    expect(repo.comments[0]?.body.length).toBe(COMMENT_LIMIT);
    expect(repo.comments[0]?.body).toContain('status table');
  });

  it('sets commit statuses, lists them newest first, and finds the pull requests of a commit', async () => {
    const repo = github.repository('acme/status');
    repo.commits.add(SHA);
    repo.pulls.push({
      number: 3,
      state: 'closed',
      mergedAt: new Date().toISOString(),
      head: SHA,
      base: SHA,
      commits: [SHA],
    });
    const gh = host('acme/status');
    await gh.setStatus(SHA, { context: 'kaito-gitops/plan', state: 'pending', description: 'planning' });
    await gh.setStatus(SHA, {
      context: 'kaito-gitops/plan',
      state: 'failure',
      description: `${'long '.repeat(60)}`,
    });
    const statuses = await gh.statuses(SHA);
    expect(statuses.map((s) => s.state)).toEqual(['failure', 'pending']);
    expect(statuses[0]?.description.length).toBe(140);
    expect(await gh.pullRequestsOf(SHA)).toEqual([{ number: 3, state: 'merged' }]);
  });

  it('says what to check when the token is refused or the repository is not there', async () => {
    github.repository('acme/private');
    const bad = new GitHubHost({
      repository: 'acme/private',
      apiUrl: github.url,
      auth: { token: 'nope-nope' },
      notFound: AS_REPORT_PLAN,
    });
    const refused = await bad.comments(1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderError);
    expect((refused as Error).message).toBe(
      'GitHub: list comments of acme/private#1: 401 Bad credentials (the credentials were refused: check GITHUB_TOKEN, KAITO_GITOPS_GITHUB_TOKEN[_FILE] or the GitHub App settings)',
    );
    const missing = await host('acme/nothing')
      .comments(1)
      .catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(
      /^GitHub: list comments of acme\/nothing#1: 404 Not Found \(check --github OWNER\/REPO/,
    );
    expect((missing as Error).message).not.toContain(TOKEN);
  });

  it('treats server errors as transient', async () => {
    github.repository('acme/flaky');
    github.failNext(502);
    const error = await host('acme/flaky')
      .comments(1)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
  });
});

describe('rate limits', () => {
  it('waits as long as Retry-After says on a secondary limit, then succeeds', async () => {
    github.repository('acme/busy');
    github.rateLimit({ kind: 'secondary', status: 429, retryAfterSeconds: 1 });
    const warnings: unknown[] = [];
    const started = performance.now();
    const comments = await host('acme/busy', {
      logger: { log: (_level, m, f) => warnings.push([m, f]) },
    }).comments(5);
    expect(comments).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(warnings).toEqual([
      ['GitHub secondary rate limit', expect.objectContaining({ retryAfterSeconds: 1, retrying: true })],
    ]);
  });

  it('waits for x-ratelimit-reset on a primary limit (403), then succeeds', async () => {
    github.repository('acme/primary');
    github.rateLimit({ kind: 'primary', status: 403, retryAfterSeconds: 0 });
    const before = github.requests.length;
    await host('acme/primary').comments(5);
    expect(github.requests.slice(before).map((r) => r.status)).toEqual([403, 200]);
  });

  it('gives up at once when the wait would be longer than allowed, as a transient failure', async () => {
    github.repository('acme/throttled');
    github.rateLimit({ kind: 'primary', status: 429, retryAfterSeconds: 3600 });
    const started = performance.now();
    const error = await host('acme/throttled', { maxRateLimitWaitSeconds: 60 })
      .comments(5)
      .catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(
      /^GitHub: list comments of acme\/throttled#5: 429 API rate limit exceeded/,
    );
  });
});

describe('GitHub App authentication', () => {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey = keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  it('mints an installation token with a JWT the server verifies, and mints again before it expires', async () => {
    github.addApp({ appId: 4242, publicKey, installationId: 77 });
    github.repository('acme/app');
    let clock = Date.now();
    const app = new GitHubHost({
      repository: 'acme/app',
      apiUrl: github.url,
      auth: { app: { appId: '4242', privateKey, installationId: 77, now: () => clock } },
      writeSpacingMs: 0,
      notFound: AS_REPORT_PLAN,
    });
    await app.createComment(9, 'hello');
    await app.comments(9);
    expect(github.mintedTokens).toHaveLength(1);
    const first = github.mintedTokens[0]?.token;
    expect(github.requests.at(-1)?.authorization).toBe(`token ${first}`);
    clock += 56 * 60_000; // within five minutes of the one-hour expiry
    await app.comments(9);
    expect(github.mintedTokens).toHaveLength(2);
    expect(github.requests.at(-1)?.authorization).toBe(`token ${github.mintedTokens[1]?.token}`);
  });

  it('reports a key the app does not have as refused credentials', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    github.addApp({ appId: 5151, publicKey, installationId: 88 });
    const app = new GitHubHost({
      repository: 'acme/app',
      apiUrl: github.url,
      auth: { app: { appId: '5151', privateKey: other, installationId: 88 } },
      notFound: AS_REPORT_PLAN,
    });
    const error = await app.comments(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toContain('401 A JSON web token could not be decoded');
  });
});
