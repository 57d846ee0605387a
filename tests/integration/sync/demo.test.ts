import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';
import { git } from '../../support/git-remote.ts';
import { kustomizeBuild, requireKubectl } from '../../support/kustomize.ts';

let dir: string;
let kubectl: string;

beforeAll(async () => {
  [dir, kubectl] = await Promise.all([mkdtemp(join(tmpdir(), 'kaito-demo-test-')), requireKubectl()]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('kaito-gitops demo pushes the bundled examples, syncs once and prints the deploy commit and tree', async () => {
  const run = await runCli(['demo', '--dir', dir], process.cwd());
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const deploy = /^deploy commit {2}([0-9a-f]{40})/m.exec(run.stdout)?.[1];
  expect(deploy).toBeDefined();
  expect(run.stdout).toContain('clusters/demo/kustomization.yaml');
  expect(run.stdout).toMatch(/rendered +default\/workspace-phi-3-mini /);
  // Where the repositories are, one rendered manifest, and what to try next.
  expect(run.stdout).toContain(`in ${join(dir, 'repos', 'deploy.git')}`);
  expect(run.stdout).toMatch(
    /one rendered manifest, clusters\/demo\/workspaces\/.+\/deployment-.+\.yaml:\n\n {2}apiVersion: apps\/v1\n {2}kind: Deployment/,
  );
  expect(run.stdout).toContain(`git clone --branch deploy ${join(dir, 'repos', 'deploy.git')}`);
  expect(run.stdout).toContain('try next:');

  const bare = join(dir, 'repos', 'deploy.git');
  expect((await git(bare, 'rev-parse', 'deploy')).trim()).toBe(deploy);
  await git(bare, 'fsck', '--strict', '--no-progress');
  const checkout = join(dir, 'checkout');
  await git(dir, 'clone', '-q', '--branch', 'deploy', bare, checkout);
  const built = await kustomizeBuild(kubectl, join(checkout, 'clusters/demo'));
  expect(built.match(/^kind: Workspace$/gm)).toHaveLength(4);
});
