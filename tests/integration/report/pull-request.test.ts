/** `reportPullRequest`: the one call a server makes for a pull request event, with files it read itself. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../../src/catalog/index.ts';
import { GitHubHost, PLAN_STATUS_CONTEXT, reportPullRequest } from '../../../src/report/index.ts';
import { startGitHubApiServer, type GitHubApiServer } from '../../support/github-api-server.ts';
import { misspelt, phi3 } from '../../support/report-specs.ts';

let github: GitHubApiServer;
beforeAll(async () => {
  github = await startGitHubApiServer();
  github.addToken('tok-server-0123');
});
afterAll(async () => {
  await github.close();
});

describe('reportPullRequest', () => {
  it('comments and sets the status for base and head files it is given', async () => {
    const repo = github.repository('acme/svc');
    const none = { dir: 'specs', files: [] };
    const base = {
      sha: 'a'.repeat(40),
      files: [{ path: 'specs/a.yaml', content: phi3('alpha') }],
      repository: none,
    };
    const head = {
      sha: 'b'.repeat(40),
      files: [
        { path: 'specs/a.yaml', content: phi3('alpha') },
        { path: 'specs/b.yaml', content: misspelt('beta') },
      ],
      repository: none,
    };
    repo.commits.add(head.sha);
    const host = new GitHubHost({
      repository: 'acme/svc',
      apiUrl: github.url,
      auth: { token: 'tok-server-0123' },
      writeSpacingMs: 0,
      notFound: 'the repository',
    });
    const outcome = await reportPullRequest({ host, number: 11, base, head, catalog: await readCatalog() });
    expect(outcome.comment.action).toBe('created');
    expect(outcome.status).toMatchObject({ context: PLAN_STATUS_CONTEXT, state: 'failure' });
    expect(repo.comments[0]?.body).toContain('specs/b.yaml:13: inference.preset.name');
    expect(repo.statuses.map((s) => [s.sha, s.state])).toEqual([[head.sha, 'failure']]);
  });
});
