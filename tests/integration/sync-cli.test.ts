import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { git, startGitServer, type GitServer } from '../support/git-server.ts';
import { PASSWORD, USER, read, scratchDir, seedSource } from './sync-support.ts';

let server: GitServer;
let scratch: string;

beforeAll(async () => {
  server = await startGitServer({ username: USER, password: PASSWORD });
  scratch = await scratchDir();
});
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

const env = { KAITO_GITOPS_GIT_TOKEN: PASSWORD };

describe('kaito-gitops sync', () => {
  it('--once exits 0 and prints JSON; an invalid spec exits 1 and the rest is synced', async () => {
    const source = await seedSource(server, 'cli', scratch);
    const args = ['sync', '--source', source.url, '--once', '--work-dir', join(scratch, 'cli-work')];
    const ok = await runCli([...args, '--output', 'json'], scratch, env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const json = JSON.parse(ok.stdout) as { pushed: boolean; errors: unknown[] };
    expect(json).toMatchObject({ pushed: true, errors: [] });

    const spec = await read(join(source.work, 'gitops/workspaces/phi-3-mini.yaml'));
    await source.change({
      'gitops/workspaces/phi-3-mini.yaml': spec.replace('kind: Workspace', 'kind: Workspace\nbogus: 1'),
    });
    const bad = await runCli(args, scratch, env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('phi-3-mini.yaml');
    expect(bad.stdout).toMatch(/1 kept/);
  });

  it.each([
    [['--once'], '--source is required'],
    [['--source', 'https://example.com/x.git'], 'exactly one of --once and --interval'],
    [['--source', 'https://u:hunter2@example.com/x.git', '--once'], 'carries credentials'],
    [['--source', 'git@github.com:o/r.git', '--once'], 'not a URL'],
    [['--source', 'https://example.com/x.git', '--interval', '10x'], 'must be a duration'],
    [['--source', 'https://example.com/x.git', '--once', '--target-branch', 'main'], 'must differ'],
  ])('usage error %j', async (flags, message) => {
    const run = await runCli(['sync', ...flags], scratch, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain('hunter2');
  });

  it('a wrong password exits 3 and no credential appears in any output', async () => {
    const source = await seedSource(server, 'badauth', scratch);
    const wrong = 'wr0ngPassw0rdValue';
    const run = await runCli(
      ['sync', '--source', source.url, '--once', '--work-dir', join(scratch, 'bad-work')],
      scratch,
      { KAITO_GITOPS_GIT_USERNAME: USER, KAITO_GITOPS_GIT_PASSWORD: wrong },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/401|credentials/);
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(Buffer.from(`${USER}:${wrong}`).toString('base64'));
    }
    expect((await git(source.bare, 'branch', '--list')).trim()).toBe('* main');
  });

  it('a push refused for a wrong password on the deploy repository does not leak it either', async () => {
    const source = await seedSource(server, 'pushfail', scratch);
    const other = await startGitServer({ username: USER, password: 'another-secret-xyz' });
    try {
      const { createRepo } = await import('../support/git-server.ts');
      await createRepo(other, 'deploy');
      const run = await runCli(
        [
          'sync',
          '--source',
          source.url,
          '--target',
          other.url('deploy'),
          '--once',
          '--work-dir',
          join(scratch, 'pf'),
        ],
        scratch,
        env,
      );
      expect(run.code).toBe(3);
      expect(run.stderr).not.toContain(PASSWORD);
      expect(other.log.some((line) => line.startsWith('401'))).toBe(true);
    } finally {
      await other.close();
    }
  });
});
