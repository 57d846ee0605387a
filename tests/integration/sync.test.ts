import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_COMMIT } from '../../src/sync/index.ts';
import { git, startGitServer, type GitServer } from '../support/git-server.ts';
import { kustomizeBuild, requireKubectl } from '../support/kustomize.ts';
import { PASSWORD, USER, cloneBranch, read, scratchDir, seedSource, syncerFor } from './sync-support.ts';

let server: GitServer;
let scratch: string;
let kubectl: string;

beforeAll(async () => {
  kubectl = await requireKubectl();
  server = await startGitServer({ username: USER, password: PASSWORD });
  scratch = await scratchDir();
});
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

async function changedFiles(dir: string, from: string, to: string): Promise<string[]> {
  return (await git(dir, 'diff', '--name-only', from, to)).trim().split('\n').filter(Boolean).sort();
}

describe('sync pass', () => {
  it('hydrates the specs onto a new orphan deploy branch that git and kustomize accept', async () => {
    const source = await seedSource(server, 'first', scratch);
    const sha = (await git(source.work, 'rev-parse', 'HEAD')).trim();
    const syncer = await syncerFor(source.url, scratch);
    const result = await syncer.sync();
    expect(result).toMatchObject({ sourceCommit: sha, pushed: true, attempts: 1, errors: [] });
    expect(result.workspaces.map((w) => w.status)).toEqual(['rendered', 'rendered', 'rendered', 'rendered']);

    await git(source.bare, 'fsck', '--strict');
    const clone = await cloneBranch(server, source.url, 'deploy', scratch);
    expect(await readdir(clone)).toEqual(['.git', 'clusters']);
    expect((await git(clone, 'rev-list', '--count', 'HEAD')).trim()).toBe('1');
    expect(await git(clone, 'log', '-1', '--format=%B')).toBe(
      `hydrate: ${sha} (4 workspaces, 4 changed)\n\nSource-Commit: ${sha}\n\n`,
    );
    const built = await kustomizeBuild(kubectl, join(clone, 'clusters/prod'));
    expect(built).toContain('kind: Workspace');
    expect(built).toContain(`${SOURCE_COMMIT}: ${sha}`);
    expect(built).toContain(`kaito-gitops.io/source-repository: ${source.url}`);
    expect(built).toContain('kaito-gitops.io/source-path: gitops/workspaces');

    const again = await syncer.sync();
    expect(again).toMatchObject({ pushed: false, deployCommit: result.deployCommit, changed: [] });
    const fresh = await (await syncerFor(source.url, scratch)).sync();
    expect(fresh).toMatchObject({ pushed: false, deployCommit: result.deployCommit });
  });

  it('a one-spec change touches only that workspace and the inventory; a deleted spec removes its directory', async () => {
    const source = await seedSource(server, 'one-spec', scratch);
    const syncer = await syncerFor(source.url, scratch);
    const first = await syncer.sync();
    const spec = await read(join(source.work, 'gitops/workspaces/phi-3-mini.yaml'));
    const sha = await source.change({
      'gitops/workspaces/phi-3-mini.yaml': spec.replace('apps: phi-3', 'apps: phi-3-changed'),
      'README.md': 'unrelated change\n',
    });
    const second = await syncer.sync();
    expect(second.pushed).toBe(true);
    expect(second.workspaces.filter((w) => w.status === 'rendered').map((w) => w.name)).toEqual([
      'workspace-phi-3-mini',
    ]);
    const clone = await cloneBranch(server, source.url, 'deploy', scratch);
    const touched = await changedFiles(clone, first.deployCommit, second.deployCommit);
    expect(touched.length).toBeGreaterThan(0);
    expect(touched.every((p) => p.startsWith('clusters/prod/workspaces/default/workspace-phi-3-mini/'))).toBe(
      true,
    );
    const workspaceFile = await read(
      join(
        clone,
        'clusters/prod/workspaces/default/workspace-phi-3-mini/workspace-workspace-phi-3-mini.yaml',
      ),
    );
    expect(workspaceFile).toContain(`${SOURCE_COMMIT}: ${sha}`);
    const other = await read(
      join(
        clone,
        'clusters/prod/workspaces/default/workspace-tuning-phi-3/workspace-workspace-tuning-phi-3.yaml',
      ),
    );
    expect(other).toContain(`${SOURCE_COMMIT}: ${first.sourceCommit}`);

    await source.change({ 'gitops/workspaces/phi-3-mini.yaml': null });
    const third = await syncer.sync();
    await git(clone, 'pull', '-q');
    expect(third.workspaces.find((w) => w.name === 'workspace-phi-3-mini')?.status).toBe('removed');
    const removed = await changedFiles(clone, second.deployCommit, third.deployCommit);
    expect(removed).toContain('clusters/prod/inventory.json');
    expect(removed).toContain('clusters/prod/kustomization.yaml');
    expect(await readdir(join(clone, 'clusters/prod/workspaces/default'))).not.toContain(
      'workspace-phi-3-mini',
    );
    await kustomizeBuild(kubectl, join(clone, 'clusters/prod'));
  });

  it('an invalid spec keeps its files, is listed in the commit, and the others still sync; foreign files stay', async () => {
    const source = await seedSource(server, 'invalid', scratch);
    const syncer = await syncerFor(source.url, scratch);
    const first = await syncer.sync();
    // A file next to the tree that kaito-gitops did not write must survive every pass.
    const clone = await cloneBranch(server, source.url, 'deploy', scratch);
    await git(clone, 'checkout', '-q', 'deploy');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(clone, 'clusters/prod/NOTES.md'), 'hand-written\n');
    await git(clone, 'add', '-A');
    await git(clone, 'commit', '-q', '-m', 'notes');
    await git(clone, 'push', '-q', 'origin', 'deploy');

    const mini = await read(join(source.work, 'gitops/workspaces/phi-3-mini.yaml'));
    const tuning = await read(join(source.work, 'gitops/workspaces/phi-3-tuning.yaml'));
    await source.change({
      'gitops/workspaces/phi-3-mini.yaml': mini.replace('instanceType: Standard_NC6s_v3', 'instanceType: 42'),
      'gitops/workspaces/phi-3-tuning.yaml': tuning.replace(
        /name: workspace-tuning-phi-3/,
        'name: workspace-tuning-phi-3\n  labels:\n    changed: "yes"',
      ),
    });
    const second = await syncer.sync();
    expect(second.errors.map((e) => e.file)).toEqual(['phi-3-mini.yaml']);
    expect(second.workspaces.find((w) => w.name === 'workspace-phi-3-mini')?.status).toBe('kept');
    expect(second.workspaces.find((w) => w.name === 'workspace-tuning-phi-3')?.status).toBe('rendered');
    await git(clone, 'pull', '-q');
    const touched = await changedFiles(clone, first.deployCommit, 'HEAD');
    expect(touched.some((p) => p.includes('workspace-phi-3-mini'))).toBe(false);
    expect(touched.some((p) => p.includes('workspace-tuning-phi-3'))).toBe(true);
    expect(await read(join(clone, 'clusters/prod/NOTES.md'))).toBe('hand-written\n');
    const message = await git(clone, 'log', '-1', '--format=%B');
    expect(message).toMatch(/Failed specs/);
    expect(message).toMatch(/- phi-3-mini\.yaml: resource\.instanceType/);
  });
});
