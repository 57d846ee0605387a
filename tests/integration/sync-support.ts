/** Shared setup for the sync integration tests: a git server, a seeded source repo, a Syncer factory. */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PRESETS_DIR, readCatalog, type Catalog } from '../../src/catalog/index.ts';
import { Syncer, type SyncConfig } from '../../src/sync/index.ts';
import { authedUrl, createRepo, git, type GitServer } from '../support/git-server.ts';

export const USER = 'x-access-token';
export const PASSWORD = 'ghs_s3cretTokenValue1234';
export const SPECS = join(import.meta.dirname, '../../gitops/workspaces');

let catalog: Promise<Catalog> | undefined;
export function testCatalog(): Promise<Catalog> {
  return (catalog ??= readCatalog(DEFAULT_PRESETS_DIR));
}

/** A source repository with the bundled specs under gitops/workspaces, and a working clone to push from. */
export interface SourceRepo {
  url: string;
  bare: string;
  work: string;
  /** Writes (or deletes, with null) spec files, commits and pushes with the git CLI; returns the new sha. */
  change(files: Record<string, string | null>, message?: string): Promise<string>;
}

export async function seedSource(server: GitServer, name: string, scratch: string): Promise<SourceRepo> {
  const bare = await createRepo(server, name);
  const work = join(scratch, `${name}-work`);
  await mkdir(work, { recursive: true });
  await git(work, 'init', '-q', '-b', 'main');
  await cp(SPECS, join(work, 'gitops/workspaces'), { recursive: true });
  await writeFile(join(work, 'README.md'), 'source repo\n');
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'seed');
  const remote = authedUrl(server.url(name), USER, PASSWORD);
  await git(work, 'push', '-q', remote, 'main');
  return {
    url: server.url(name),
    bare,
    work,
    async change(files, message = 'change') {
      for (const [path, content] of Object.entries(files)) {
        const full = join(work, path);
        if (content === null) await rm(full, { force: true });
        else {
          await mkdir(join(full, '..'), { recursive: true });
          await writeFile(full, content);
        }
      }
      await git(work, 'add', '-A');
      await git(work, 'commit', '-q', '--allow-empty', '-m', message);
      await git(work, 'push', '-q', remote, 'main');
      return (await git(work, 'rev-parse', 'HEAD')).trim();
    },
  };
}

export async function syncerFor(
  url: string,
  scratch: string,
  overrides: Partial<SyncConfig> = {},
): Promise<Syncer> {
  return new Syncer({
    source: url,
    sourceRef: 'main',
    sourcePath: 'gitops/workspaces',
    target: url,
    targetBranch: 'deploy',
    targetPath: 'clusters/prod',
    workDir: await mkdtemp(join(scratch, 'work-')),
    catalog: await testCatalog(),
    credentials: { username: USER, password: PASSWORD },
    backoffMs: 10,
    ...overrides,
  });
}

/** A fresh CLI clone of `branch`. */
export async function cloneBranch(
  server: GitServer,
  url: string,
  branch: string,
  scratch: string,
): Promise<string> {
  const dir = await mkdtemp(join(scratch, 'clone-'));
  await git(scratch, 'clone', '-q', '-b', branch, authedUrl(url, USER, PASSWORD), dir);
  return dir;
}

export async function scratchDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kaito-gitops-sync-'));
}

export const read = (path: string) => readFile(path, 'utf8');
