/**
 * `sync --listen --report`: pull-request webhooks → the plan comment and the `kaito-gitops/plan`
 * status, through the real git server (pull requests' heads at `refs/pull/N/head` and
 * `refs/merge-requests/N/head`, as GitHub and GitLab keep them) and the local GitHub and GitLab API
 * servers driven by the real SDKs. The comment is the one `report plan` writes for the same revisions.
 */
import { createHmac } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { COMMENT_MARKER } from '../../../src/report/comment-body.ts';
import { runCli } from '../../support/cli.ts';
import { GIT_PASSWORD, GIT_USER, git, startGitRemote, type GitRemote } from '../../support/git-remote.ts';
import { startGitHubApiServer, type GitHubApiServer } from '../../support/github-api-server.ts';
import { startGitLabApiServer, type GitLabApiServer } from '../../support/gitlab-api-server.ts';
import { misspelt, phi3 } from '../../support/report-specs.ts';

const SECRET = 'webhook-secret-0123456789';
const GITHUB_TOKEN = 'ghs_sync_token_0123456789';
const GITLAB_TOKEN = 'glpat-sync-0123456789';
const DIR = 'gitops/workspaces';
const REPO = 'models.git';

let remote: GitRemote;
let github: GitHubApiServer;
let gitlab: GitLabApiServer;
let main0: string;
let counter = 0;

/**
 * A developer's branch off main: writes spec files, commits, pushes the branch, and points the pull
 * request's ref (`refs/pull/N/head`, GitLab's `refs/merge-requests/N/head`) at it, as the host does.
 * A fork's branch lives in another repository: only the pull request's ref holds its commits.
 */
class Branch {
  readonly dir: string;
  readonly name: string;
  readonly pullRef: string;
  readonly fork: boolean;

  private constructor(dir: string, name: string, pullRef: string, fork: boolean) {
    this.dir = dir;
    this.name = name;
    this.pullRef = pullRef;
    this.fork = fork;
  }

  static async create(name: string, pullRef: string, options: { fork?: boolean } = {}): Promise<Branch> {
    const dir = join(remote.root, 'dev', `${name}-${++counter}`);
    await git(remote.root, 'clone', '-q', '-b', 'main', remote.authedUrl(REPO), dir);
    await git(dir, 'checkout', '-q', '-b', name);
    return new Branch(dir, name, pullRef, options.fork === true);
  }

  async push(files: Record<string, string>, message: string): Promise<string> {
    for (const [path, content] of Object.entries(files)) await writeFile(join(this.dir, DIR, path), content);
    await git(this.dir, 'add', '-A');
    await git(this.dir, 'commit', '-q', '-m', message);
    if (this.fork) await git(this.dir, 'push', '-q', '-f', 'origin', `HEAD:${this.pullRef}`);
    else await git(this.dir, 'push', '-q', '-f', 'origin', `HEAD:refs/heads/${this.name}`);
    const sha = (await git(this.dir, 'rev-parse', 'HEAD')).trim();
    await git(remote.bare(REPO), 'update-ref', this.pullRef, sha);
    return sha;
  }
}

interface SyncServer {
  url: string;
  output: () => string;
  stop: () => Promise<number>;
}

async function startSync(args: string[], env: Record<string, string>): Promise<SyncServer> {
  let out = '';
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const cache = join(remote.root, 'caches', `cache-${++counter}`);
  const exited = main(
    [
      'sync',
      '--source',
      remote.url(REPO),
      '--source-path',
      DIR,
      '--target',
      remote.url('deploy.git'),
      '--target-branch',
      'deploy',
      '--cache-dir',
      cache,
      '--listen',
      '127.0.0.1:0',
      ...args,
    ],
    {
      stdout: (text) => void (out += text),
      stderr: (text) => void (out += text),
      env: {
        KAITO_GITOPS_GIT_USERNAME: GIT_USER,
        KAITO_GITOPS_GIT_PASSWORD: GIT_PASSWORD,
        KAITO_GITOPS_WEBHOOK_SECRET: SECRET,
        ...env,
      },
      cwd: remote.root,
      stopped,
    },
  );
  await until(() => /"msg":"sync (finished|failed)"/.test(out));
  const url = /"address":"(http:[^"]+)"/.exec(out)?.[1] ?? '';
  expect(url).not.toBe('');
  return {
    url,
    output: () => out,
    stop: async () => {
      stop();
      return exited;
    },
  };
}

function githubEvent(
  server: SyncServer,
  payload: object,
  delivery: string,
  options: { event?: string; secret?: string } = {},
): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(`${server.url}/webhook`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-GitHub-Event': options.event ?? 'pull_request',
      'X-GitHub-Delivery': delivery,
      'X-Hub-Signature-256': `sha256=${createHmac('sha256', options.secret ?? SECRET)
        .update(body)
        .digest('hex')}`,
    },
    body,
  });
}

/** GitHub's `pull_request` payload, with the fields GitHub sends that sync reads. */
function pullRequest(action: string, number: number, head: string, updatedAt: string, extra: object = {}) {
  return {
    action,
    number,
    pull_request: {
      number,
      state: 'open',
      updated_at: updatedAt,
      head: { sha: head, ref: `feature-${number}` },
      base: { sha: main0, ref: 'main' },
    },
    repository: { full_name: 'acme/models', clone_url: remote.url(REPO), html_url: 'https://example/x' },
    ...extra,
  };
}

beforeAll(async () => {
  [remote, github, gitlab] = await Promise.all([
    startGitRemote(),
    startGitHubApiServer(),
    startGitLabApiServer(),
  ]);
  github.addToken(GITHUB_TOKEN);
  gitlab.addToken(GITLAB_TOKEN);
  await remote.createRepo(REPO);
  await remote.createRepo('deploy.git');
  const seed = join(remote.root, 'seed');
  await git(remote.root, 'init', '-q', '-b', 'main', seed);
  await mkdir(join(seed, DIR), { recursive: true });
  for (const [file, name] of [
    ['a.yaml', 'alpha'],
    ['b.yaml', 'beta'],
    ['c.yaml', 'gamma'],
  ] as const) {
    await writeFile(join(seed, DIR, file), phi3(name));
  }
  await git(seed, 'add', '-A');
  await git(seed, 'commit', '-q', '-m', 'three models');
  await git(seed, 'push', '-q', remote.authedUrl(REPO), 'HEAD:refs/heads/main');
  main0 = (await git(seed, 'rev-parse', 'HEAD')).trim();
});
afterAll(async () => {
  await Promise.all([remote.close(), github.close(), gitlab.close()]);
});

describe('sync --report github', () => {
  let server: SyncServer;
  let feature7: Branch;
  const repo = () => github.repository('acme/models');
  const statesOf = (sha: string) =>
    repo()
      .statuses.filter((s) => s.sha === sha && s.context === 'kaito-gitops/plan')
      .map((s) => s.state);

  beforeAll(async () => {
    server = await startSync(['--report', 'github', '--report-api-url', github.url], {
      GITHUB_TOKEN,
    });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
    expect(server.output()).not.toContain(GITHUB_TOKEN);
    expect(server.output()).not.toContain(SECRET);
  });

  it('a signed pull_request webhook writes the comment report plan writes, and fails the status', async () => {
    feature7 = await Branch.create('feature-7', 'refs/pull/7/head');
    const head = await feature7.push(
      { 'a.yaml': phi3('alpha', 'Standard_NC12s_v3'), 'b.yaml': misspelt('beta') },
      'bigger alpha; a typo in beta',
    );
    repo().commits.add(head);
    const res = await githubEvent(server, pullRequest('opened', 7, head, '2025-01-01T10:00:00Z'), 'gh-1');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'reported',
      pullRequest: 7,
      head,
      comment: 'created',
      plan: 'failure',
    });
    expect(repo().comments).toHaveLength(1);
    const body = repo().comments[0]?.body ?? '';
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain('**0 added, 1 changed, 0 removed, 1 refused**, 1 unchanged');
    expect(body).toContain(
      'gitops/workspaces/b.yaml:13: inference.preset.name: Unsupported inference preset name phi-3-mini-4k-instruc',
    );
    expect(body).toContain('| instanceType | `Standard_NC6s_v3` → **`Standard_NC12s_v3`** |');
    expect(body).toContain('+  instanceType: Standard_NC12s_v3');
    expect(statesOf(head)).toEqual(['failure']);

    // The same revisions through `report plan` in a CI checkout, posted on another pull request.
    const ci = join(remote.root, 'ci');
    await git(remote.root, 'clone', '-q', remote.authedUrl(REPO), ci);
    await git(ci, 'fetch', '-q', 'origin', 'feature-7');
    await git(ci, 'checkout', '-q', head);
    const run = await runCli(
      ['report', 'plan', '--base', 'origin/main', '--github', 'acme/models', '--pr', '70'],
      ci,
      { GITHUB_TOKEN, GITHUB_API_URL: github.url },
    );
    expect(run.code).toBe(1);
    const fromCi = repo().comments.find((c) => c.issue === 70);
    expect(fromCi?.body).toBe(body);
  });

  it('a push of the fix and `synchronize` edit the same comment and pass the status', async () => {
    const id = repo().comments.find((c) => c.issue === 7)?.id;
    const head = await feature7.push({ 'b.yaml': phi3('beta') }, 'fix the typo');
    repo().commits.add(head);
    const res = await githubEvent(
      server,
      pullRequest('synchronize', 7, head, '2025-01-01T10:05:00Z'),
      'gh-2',
    );
    expect(await res.json()).toMatchObject({ status: 'reported', comment: 'updated', plan: 'success' });
    expect(
      repo()
        .comments.filter((c) => c.issue === 7)
        .map((c) => c.id),
    ).toEqual([id]);
    expect(repo().comments.find((c) => c.issue === 7)?.body).not.toContain('Refused specs');
    expect(statesOf(head)).toEqual(['success']);

    // A replay is answered without work; so is another event for a head already reported.
    const replay = await githubEvent(
      server,
      pullRequest('synchronize', 7, head, '2025-01-01T10:05:00Z'),
      'gh-2',
    );
    expect(await replay.json()).toMatchObject({ status: 'duplicate delivery' });
    const same = await githubEvent(server, pullRequest('reopened', 7, head, '2025-01-01T10:06:00Z'), 'gh-3');
    expect(await same.json()).toMatchObject({ status: 'already reported', head });
    expect(statesOf(head)).toEqual(['success']);
  });

  it('a bad signature gets 401 and nothing is posted', async () => {
    const before = [repo().comments.length, repo().statuses.length];
    const res = await githubEvent(server, pullRequest('opened', 8, main0, '2025-01-01T11:00:00Z'), 'gh-4', {
      secret: 'not-the-secret-at-all',
    });
    expect(res.status).toBe(401);
    expect([repo().comments.length, repo().statuses.length]).toEqual(before);
  });

  it('ignores closed pull requests, title edits, other repositories and other branches', async () => {
    const head = main0;
    const closed = await githubEvent(server, pullRequest('closed', 7, head, '2025-01-01T12:00:00Z'), 'gh-5');
    expect(closed.status).toBe(202);
    expect(await closed.json()).toMatchObject({ status: 'ignored', reason: 'pull_request action closed' });
    const title = await githubEvent(
      server,
      pullRequest('edited', 7, head, '2025-01-01T12:00:00Z', { changes: { title: { from: 'x' } } }),
      'gh-6',
    );
    expect(await title.json()).toMatchObject({ status: 'ignored' });
    const other = pullRequest('opened', 3, head, '2025-01-01T12:00:00Z');
    other.repository = { full_name: 'acme/other', clone_url: remote.url('other.git'), html_url: '' };
    const res = await githubEvent(server, other, 'gh-7');
    expect(await res.json()).toMatchObject({
      status: 'ignored',
      reason: `acme/other is not the source repository ${remote.url(REPO)}`,
    });
    const release = pullRequest('opened', 4, head, '2025-01-01T12:00:00Z');
    release.pull_request.base.ref = 'release';
    expect(await (await githubEvent(server, release, 'gh-8')).json()).toMatchObject({
      status: 'ignored',
      reason: 'acme/models#4 merges into release, not the source branch main',
    });
  });

  it('a repository GitHub does not know: 502, not retried, saying what to check in the server’s terms', async () => {
    const renamed = pullRequest('opened', 12, main0, '2025-01-01T12:30:00Z');
    renamed.repository = { ...renamed.repository, full_name: 'acme/renamed' };
    const res = await githubEvent(server, renamed, 'gh-404');
    expect(res.status).toBe(502);
    const answer = (await res.json()) as { error: string; retryInMs?: number };
    expect(answer.retryInMs).toBeUndefined();
    expect(answer.error).toBe(
      'GitHub: list comments of acme/renamed#12: 404 Not Found (check that the credentials can see the --source repository the webhook came from, and that --report-api-url (else GITHUB_API_URL) is the API of its code host)',
    );
  });

  it('two quick `synchronize` events: the newer head supersedes the queued older one', async () => {
    const branch = await Branch.create('feature-9', 'refs/pull/9/head');
    const heads: string[] = [];
    for (const sku of ['Standard_NC12s_v3', 'Standard_NC24s_v3', 'Standard_NC6s_v3']) {
      heads.push(await branch.push({ 'c.yaml': phi3('gamma', sku) }, `gamma on ${sku}`));
    }
    for (const head of heads) repo().commits.add(head);
    const [first = '', second = '', third = ''] = heads;
    const accepted = (head: string) =>
      until(() => new RegExp(`"msg":"webhook accepted".*"head":"${head}"`).test(server.output()));
    // The first report is under way (it takes a second: GitHub's writes are spaced), then two more arrive.
    const running = githubEvent(server, pullRequest('opened', 9, first, '2025-01-02T10:00:00Z'), 'gh-9a');
    await accepted(first);
    const queued = githubEvent(
      server,
      pullRequest('synchronize', 9, second, '2025-01-02T10:00:01Z'),
      'gh-9b',
    );
    await accepted(second);
    const newer = githubEvent(server, pullRequest('synchronize', 9, third, '2025-01-02T10:00:02Z'), 'gh-9c');
    const answers = await Promise.all([running, queued, newer].map(async (r) => (await r).json()));
    expect(answers).toMatchObject([
      { status: 'reported', head: first },
      { status: 'reported', head: third },
      { status: 'reported', head: third },
    ]);
    const comments = repo().comments.filter((c) => c.issue === 9);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(`→ \`${third.slice(0, 12)}\``);
    expect(statesOf(second)).toEqual([]);
    expect(statesOf(third)).toEqual(['success']);
  });

  it('a provider 5xx: answered 502 and retried, and a redelivery posts at once (a fork)', async () => {
    const branch = await Branch.create('fork-11', 'refs/pull/11/head', { fork: true });
    const head = await branch.push({ 'a.yaml': phi3('alpha', 'Standard_NC24s_v3') }, 'alpha on NC24');
    repo().commits.add(head);
    github.failNext(502, 1);
    const event = pullRequest('opened', 11, head, '2025-01-03T10:00:00Z');
    const failed = await githubEvent(server, event, 'gh-11');
    expect(failed.status).toBe(502);
    expect(await failed.json()).toMatchObject({ status: 'failed', retryInMs: expect.any(Number) });
    expect(repo().comments.filter((c) => c.issue === 11)).toHaveLength(0);
    const redelivered = await githubEvent(server, event, 'gh-11');
    expect(await redelivered.json()).toMatchObject({ status: 'reported', comment: 'created' });
    expect(statesOf(head)).toEqual(['success']);

    // Without a redelivery the report is tried again by itself, with backoff.
    const head2 = await branch.push({ 'a.yaml': phi3('alpha', 'Standard_NC12s_v3') }, 'alpha on NC12');
    repo().commits.add(head2);
    github.failNext(503, 1);
    const again = await githubEvent(
      server,
      pullRequest('synchronize', 11, head2, '2025-01-03T10:01:00Z'),
      'gh-12',
    );
    expect(again.status).toBe(502);
    await until(() => statesOf(head2).length > 0, 15_000);
    expect(statesOf(head2)).toEqual(['success']);
    expect(repo().comments.filter((c) => c.issue === 11)).toHaveLength(1);
  });

  it('a push syncs while a pull request report waits on a rate-limited GitHub', async () => {
    const branch = await Branch.create('feature-12', 'refs/pull/12/head');
    const head = await branch.push({ 'b.yaml': phi3('beta', 'Standard_NC12s_v3') }, 'beta on NC12');
    repo().commits.add(head);
    github.rateLimit({ kind: 'secondary', status: 403, retryAfterSeconds: 3 });
    let reported = false;
    const report = githubEvent(server, pullRequest('opened', 12, head, '2025-01-04T10:00:00Z'), 'gh-13');
    void report.then(() => (reported = true));
    await until(() => server.output().includes(`"msg":"GitHub secondary rate limit"`));
    const main1 = await pushMain({ 'd.yaml': phi3('delta') }, 'a fourth model');
    const push = await githubEvent(server, { ref: 'refs/heads/main', after: main1 }, 'gh-push-1', {
      event: 'push',
    });
    expect(await push.json()).toMatchObject({ status: 'pushed', sourceCommit: main1 });
    expect(reported).toBe(false);
    expect(await (await report).json()).toMatchObject({ status: 'reported', head });
  });
});

describe('sync --report gitlab', () => {
  it('a merge_request webhook writes the note and the status; an update with the fix edits it', async () => {
    const server = await startSync(['--report', 'gitlab', '--report-api-url', gitlab.url], {
      KAITO_GITOPS_GITLAB_TOKEN: GITLAB_TOKEN,
    });
    try {
      const project = gitlab.project('platform/models');
      const branch = await Branch.create('mr-5', 'refs/merge-requests/5/head');
      const head = await branch.push({ 'a.yaml': misspelt('alpha') }, 'a typo in alpha');
      project.commits.add(head);
      project.mergeRequests.push({ iid: 5, state: 'opened', commits: [head] });
      const event = (action: string, sha: string, updatedAt: string, delivery: string) => {
        const body = JSON.stringify({
          object_kind: 'merge_request',
          event_type: 'merge_request',
          project: {
            path_with_namespace: 'platform/models',
            git_http_url: remote.url(REPO),
            web_url: 'https://gitlab.example/platform/models',
          },
          object_attributes: {
            iid: 5,
            action,
            state: 'opened',
            target_branch: 'main',
            source_branch: 'mr-5',
            updated_at: updatedAt,
            last_commit: { id: sha },
          },
        });
        return fetch(`${server.url}/webhook`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Gitlab-Event': 'Merge Request Hook',
            'X-Gitlab-Token': SECRET,
            'X-Gitlab-Event-UUID': delivery,
          },
          body,
        });
      };
      const opened = await event('open', head, '2025-02-01 10:00:00 UTC', 'gl-1');
      expect(await opened.json()).toMatchObject({ status: 'reported', comment: 'created', plan: 'failure' });
      expect(project.notes).toHaveLength(1);
      expect(project.notes[0]?.body).toContain('gitops/workspaces/a.yaml:13: inference.preset.name');
      const id = project.notes[0]?.id;

      const fixed = await branch.push({ 'a.yaml': phi3('alpha', 'Standard_NC12s_v3') }, 'fix alpha');
      project.commits.add(fixed);
      const updated = await event('update', fixed, '2025-02-01 10:05:00 UTC', 'gl-2');
      expect(await updated.json()).toMatchObject({ status: 'reported', comment: 'updated', plan: 'success' });
      expect(project.notes.map((n) => n.id)).toEqual([id]);
      expect(project.statuses.map((s) => [s.sha, s.status])).toEqual([
        [head, 'failed'],
        [fixed, 'success'],
      ]);

      const forged = await fetch(`${server.url}/webhook`, {
        method: 'POST',
        headers: { 'X-Gitlab-Event': 'Merge Request Hook', 'X-Gitlab-Token': 'wrong-token-0000' },
        body: '{}',
      });
      expect(forged.status).toBe(401);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe('sync --report flags', () => {
  it('needs --listen and a known provider, and credentials for it', async () => {
    const base = ['sync', '--source', remote.url(REPO), '--target-branch', 'deploy'];
    const once = await runCli([...base, '--once', '--report', 'github'], remote.root, {});
    expect(once).toMatchObject({ code: 2 });
    expect(once.stderr).toContain(
      '--report comments on pull requests from their webhooks: it needs --listen',
    );
    const bitbucket = await runCli([...base, '--listen', ':0', '--report', 'bitbucket'], remote.root, {});
    expect(bitbucket.code).toBe(2);
    expect(bitbucket.stderr).toContain('--report must be github or gitlab, not "bitbucket"');
    const token = await runCli([...base, '--listen', ':0', '--report', 'gitlab'], remote.root, {});
    expect(token.code).toBe(2);
    expect(token.stderr).toContain('--report gitlab needs KAITO_GITOPS_GITLAB_TOKEN');
  });
});

/** Pushes a commit to main from a fresh clone; returns it. */
async function pushMain(files: Record<string, string>, message: string): Promise<string> {
  const dir = join(remote.root, 'dev', `main-${++counter}`);
  await git(remote.root, 'clone', '-q', '-b', 'main', remote.authedUrl(REPO), dir);
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, DIR, path), content);
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', message);
  await git(dir, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  return (await git(dir, 'rev-parse', 'HEAD')).trim();
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
