import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeComment } from '../../../src/report/comment-body.ts';
import { GitLabHost } from '../../../src/report/gitlab.ts';
import { ProviderError } from '../../../src/report/provider.ts';
import { writeSection } from '../../../src/report/sticky-comment.ts';
import { startGitLabApiServer, type GitLabApiServer } from '../../support/gitlab-api-server.ts';
import { reportPlanCaller } from '../../../src/cli/code-host.ts';

const TOKEN = 'glpat-test-0123456789';
const SHA = 'beef'.padEnd(40, '1');
let gitlab: GitLabApiServer;

beforeAll(async () => {
  gitlab = await startGitLabApiServer();
  gitlab.addToken(TOKEN);
});
afterAll(async () => {
  await gitlab.close();
});

/** These hosts are opened as `report plan` opens them: a 404 names its flags. */
const notFound = reportPlanCaller('gitlab').notFound;
const host = (project: string) => new GitLabHost({ project, token: TOKEN, url: gitlab.url, notFound });

describe('GitLabHost', () => {
  it('finds its note on page 2 of a merge request with a subgroup path, and edits it in place', async () => {
    const project = gitlab.project('platform/ml/models');
    project.mergeRequests.push({ iid: 4, state: 'opened', commits: [SHA] });
    const now = new Date().toISOString();
    for (let i = 0; i < 150; i++) {
      const body = i === 130 ? composeComment({ plan: 'old\n' }) : `note ${i}`;
      project.notes.push({ id: 9000 + i, iid: 4, body, createdAt: now, updatedAt: now });
    }
    const before = gitlab.requests.length;
    const result = await writeSection(host('platform/ml/models'), 4, 'plan', () => 'new\n');
    expect(result).toEqual({ commentId: 9130, action: 'updated' });
    const made = gitlab.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(made).toEqual([
      'GET /api/v4/projects/platform%2Fml%2Fmodels/merge_requests/4/notes',
      'GET /api/v4/projects/platform%2Fml%2Fmodels/merge_requests/4/notes',
      'PUT /api/v4/projects/platform%2Fml%2Fmodels/merge_requests/4/notes/9130',
    ]);
    expect(project.notes[130]?.body).toBe(composeComment({ plan: 'new\n' }));
  });

  it('creates a note when there is none and deletes raced duplicates', async () => {
    const project = gitlab.project('team/fresh');
    project.mergeRequests.push({ iid: 1, state: 'opened', commits: [] });
    const gl = host('team/fresh');
    expect((await writeSection(gl, 1, 'plan', () => 'a\n')).action).toBe('created');
    await gl.createComment(1, composeComment({ plan: 'raced\n' }));
    expect((await writeSection(gl, 1, 'plan', () => 'b\n')).action).toBe('updated');
    expect(project.notes.map((n) => n.body)).toEqual([composeComment({ plan: 'b\n' })]);
  });

  it('sets a status only when its state changes (GitLab refuses the same state twice)', async () => {
    const project = gitlab.project('team/status');
    project.commits.add(SHA);
    const gl = host('team/status');
    await gl.setStatus(SHA, { context: 'kaito-gitops/plan', state: 'pending', description: 'planning' });
    await gl.setStatus(SHA, {
      context: 'kaito-gitops/plan',
      state: 'failure',
      description: '1 spec refused',
    });
    await gl.setStatus(SHA, {
      context: 'kaito-gitops/plan',
      state: 'failure',
      description: '1 spec refused',
    });
    expect(project.statuses.map((s) => [s.name, s.status, s.description])).toEqual([
      ['kaito-gitops/plan', 'pending', 'planning'],
      ['kaito-gitops/plan', 'failed', '1 spec refused'],
    ]);
    expect((await gl.statuses(SHA)).map((s) => s.state)).toEqual(['failure', 'pending']);
    expect(gitlab.requests.filter((r) => r.status === 400)).toEqual([]);
  });

  it('finds the merge requests of a commit', async () => {
    const project = gitlab.project('team/merged');
    project.commits.add(SHA);
    project.mergeRequests.push({ iid: 12, state: 'merged', commits: [SHA] });
    expect(await host('team/merged').pullRequestsOf(SHA)).toEqual([{ number: 12, state: 'merged' }]);
  });

  it('retries a 429 and goes on', async () => {
    const project = gitlab.project('team/busy');
    project.mergeRequests.push({ iid: 2, state: 'opened', commits: [] });
    gitlab.rateLimit(2);
    expect(await host('team/busy').comments(2)).toEqual([]);
    expect(gitlab.requests.slice(-3).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('says what to check when the token is refused or the project is not there', async () => {
    const refused = await new GitLabHost({
      project: 'team/status',
      token: 'wrong',
      url: gitlab.url,
      notFound,
    })
      .comments(1)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderError);
    expect((refused as Error).message).toBe(
      'GitLab: list notes of team/status!1: 401 401 Unauthorized (the credentials were refused: check KAITO_GITOPS_GITLAB_TOKEN[_FILE])',
    );
    const missing = await host('team/none')
      .comments(1)
      .catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(
      /^GitLab: list notes of team\/none!1: 404 404 Project Not Found \(check --gitlab/,
    );
  });
});
