import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sourceCommitOf } from '../../src/sync/index.ts';
import { git, startGitServer, type GitServer } from '../support/git-server.ts';
import { PASSWORD, USER, cloneBranch, read, scratchDir, seedSource, syncerFor } from './sync-support.ts';

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

it('20 syncs racing source pushes and a foreign deploy commit: nothing lost, newest source rendered, no duplicates', async () => {
  const source = await seedSource(server, 'race', scratch);
  // Five replicas with their own clones, four syncs each; syncs sharing a Syncer are serialized by
  // its in-process lock, the replicas race each other on the remote.
  const syncers = await Promise.all(Array.from({ length: 5 }, () => syncerFor(source.url, scratch)));
  await syncers[0]!.sync();
  const spec = await read(join(source.work, 'gitops/workspaces/phi-3-mini.yaml'));

  // A person commits a note to the deploy branch while the syncs run.
  const human = await cloneBranch(server, source.url, 'deploy', scratch);
  const pushers = (async () => {
    for (let i = 1; i <= 3; i++) {
      await source.change({
        'gitops/workspaces/phi-3-mini.yaml': spec.replace('apps: phi-3', `apps: phi-3-v${i}`),
      });
    }
    await writeFile(join(human, 'clusters/prod/NOTES.md'), 'keep me\n');
    await git(human, 'add', '-A');
    await git(human, 'commit', '-q', '-m', 'a note');
    for (let attempt = 0; ; attempt++) {
      try {
        await git(human, 'pull', '-q', '--rebase');
        await git(human, 'push', '-q', 'origin', 'deploy');
        return (await git(human, 'rev-parse', 'HEAD')).trim();
      } catch (error) {
        if (attempt > 20) throw error;
      }
    }
  })();
  const results = await Promise.all([...syncers, ...syncers, ...syncers, ...syncers].map((s) => s.sync()));
  const note = await pushers;
  const final = await syncers[3]!.sync();

  const newest = (await git(source.work, 'rev-parse', 'HEAD')).trim();
  expect(final.sourceCommit).toBe(newest);
  expect(results.every((r) => r.attempts >= 1)).toBe(true);

  const clone = await cloneBranch(server, source.url, 'deploy', scratch);
  expect((await git(clone, 'merge-base', '--is-ancestor', note, 'HEAD')).trim()).toBe('');
  expect(await read(join(clone, 'clusters/prod/NOTES.md'))).toBe('keep me\n');
  await git(source.bare, 'fsck', '--strict');

  // Every hydrate commit names a distinct source commit, and the tip renders the newest source.
  const bodies = (await git(clone, 'log', '--format=%B%x00'))
    .split('\0')
    .filter((b) => b.includes('hydrate:'));
  const shas = bodies.map((b) => sourceCommitOf(b));
  expect(new Set(shas).size).toBe(shas.length);
  const fresh = await (await syncerFor(source.url, scratch)).sync();
  expect(fresh.pushed).toBe(false);
  expect(fresh.sourceCommit).toBe(newest);
  const mini = await read(
    join(clone, 'clusters/prod/workspaces/default/workspace-phi-3-mini/workspace-workspace-phi-3-mini.yaml'),
  );
  expect(mini).toContain('phi-3-v3');
});
