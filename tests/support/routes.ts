/**
 * One source directory through every route that reads specs, each as a user runs it: `synth`, `validate`
 * and `plan` on disk, `sync` from a real git server, `report plan` in a CI checkout (the git CLI) and the
 * sync server's pull-request reporter (its clone), both commenting on the local GitHub API, and
 * `npx cdk8s synth` (the real cdk8s CLI). Each route's result is reduced to the same view, so a test can
 * say "every route sees this".
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { readCatalog, type Catalog } from '../../src/catalog/index.ts';
import { jsonLogger } from '../../src/observe/index.ts';
import type { PlanOutputJson } from '../../src/cli/plan.ts';
import { hydrate } from '../../src/pipeline.ts';
import { GitHubHost, type PlanReport } from '../../src/report/index.ts';
import { Redactor } from '../../src/sync/credentials.ts';
import { PullRequestReporter, SyncEngine } from '../../src/sync/index.ts';
import { runCli } from './cli.ts';
import { GIT_PASSWORD, GIT_USER, git, startGitRemote, type GitRemote } from './git-remote.ts';
import { startGitHubApiServer, type GitHubApiServer } from './github-api-server.ts';
import { snapshot } from './snapshot.ts';

const exec = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
const TOKEN = 'ghs_routes_token_0123456789';

/** A file of the spec directory: its bytes, or a symbolic link to `symlink`. */
export type FixtureFile = string | Uint8Array | { symlink: string };
/** Paths relative to the spec directory. */
export type Fixture = Record<string, FixtureFile>;

export const ROUTES = [
  'synth',
  'validate',
  'plan',
  'sync',
  'report plan',
  'pull-request comment',
  'cdk8s synth',
] as const;
export type Route = (typeof ROUTES)[number];

/** What one route made of the source. */
export interface RouteView {
  /** `namespace/name` of every Workspace the route rendered (or, for validate, found valid), sorted. */
  rendered: string[];
  /**
   * Refused files (relative to the spec directory) → what the route says about each: the first
   * problem's message, or for `cdk8s synth`, which only prints, the rest of its error line.
   */
  refused: Record<string, string>;
  /**
   * Every rendered manifest as text (for the pull-request routes: the manifest diffs; for plan: the
   * commands); '' for validate.
   */
  manifests: string;
  /** The comment the pull-request routes posted on the pull request. */
  comment?: string;
}

export interface Routes {
  /**
   * Runs `fixture` through `routes` (default: all), each from scratch. For the routes that read git, the
   * fixture is a pull request's head on top of `base` (default: no specs), which `main` holds.
   */
  run(
    fixture: Fixture,
    routes?: readonly Route[],
    base?: Fixture,
  ): Promise<Partial<Record<Route, RouteView>>>;
  close(): Promise<void>;
}

interface ErrorJson {
  file: string;
  problems: { message: string }[];
}

export async function startRoutes(): Promise<Routes> {
  const [remote, github, catalog] = await Promise.all([
    startGitRemote(),
    startGitHubApiServer(),
    readCatalog(),
  ]);
  github.addToken(TOKEN);
  let scenarios = 0;
  return {
    async run(fixture, routes = ROUTES, base = {}) {
      const id = `routes-${++scenarios}`;
      const work = await remote.scratch(id);
      const views = await Promise.all(
        routes.map(async (route): Promise<[Route, RouteView]> => [
          route,
          await RUNNERS[route]({
            fixture,
            base,
            work: join(work, route.replace(/ /g, '-')),
            id,
            remote,
            github,
            catalog,
          }),
        ]),
      );
      return Object.fromEntries(views);
    },
    close: async () => {
      await Promise.all([remote.close(), github.close()]);
    },
  };
}

interface Scenario {
  fixture: Fixture;
  /** What `main` holds under `specs/` (git routes only). */
  base: Fixture;
  /** A directory of this route's own. */
  work: string;
  id: string;
  remote: GitRemote;
  github: GitHubApiServer;
  catalog: Catalog;
}

async function writeFixture(dir: string, fixture: Fixture): Promise<void> {
  for (const [path, file] of Object.entries(fixture)) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    if (typeof file === 'object' && 'symlink' in file) await symlink(file.symlink, target);
    else await writeFile(target, file);
  }
}

const sorted = (list: string[]) => [...list].sort();
const strip = (prefix: string, path: string) =>
  path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : path;
const refusedFrom = (errors: readonly ErrorJson[], prefix: string) =>
  Object.fromEntries(errors.map((e) => [strip(prefix, e.file), e.problems[0]?.message ?? '']));
const treeText = async (dir: string) =>
  (await snapshot(dir))
    .filter(([path]) => path.endsWith('.yaml'))
    .map(([, text]) => text)
    .join('---\n');

/**
 * A source repository whose `main` holds the base fixture under `specs/` and whose `feature` branch
 * replaces it with the fixture (also at `refs/pull/1/head`); returns a checkout at `feature` and its commit.
 */
async function sourceRepository(
  scenario: Scenario,
): Promise<{ url: string; checkout: string; head: string }> {
  const { remote, work, fixture, base } = scenario;
  const name = `${repositoryName(scenario)}.git`;
  await remote.createRepo(name);
  const checkout = join(work, 'checkout');
  await mkdir(checkout, { recursive: true });
  await git(checkout, 'init', '-q', '-b', 'main');
  await git(checkout, 'remote', 'add', 'origin', remote.authedUrl(name));
  await writeFile(join(checkout, 'README.md'), '# models\n');
  await writeFixture(join(checkout, 'specs'), base);
  await git(checkout, 'add', '-A');
  await git(checkout, 'commit', '-q', '-m', 'start');
  await git(checkout, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  await git(checkout, 'checkout', '-q', '-b', 'feature');
  await rm(join(checkout, 'specs'), { recursive: true, force: true });
  await writeFixture(join(checkout, 'specs'), fixture);
  await git(checkout, 'add', '-A');
  await git(checkout, 'commit', '-q', '-m', 'specs');
  await git(checkout, 'push', '-q', 'origin', 'HEAD:refs/heads/feature', 'HEAD:refs/pull/1/head');
  await git(checkout, 'fetch', '-q', 'origin');
  return { url: remote.url(name), checkout, head: (await git(checkout, 'rev-parse', 'HEAD')).trim() };
}

/** The deploy repository of the route's scenario. */
const deployRepository = (scenario: Scenario) => `${repositoryName(scenario)}-deploy.git`;
const repositoryName = (scenario: Scenario) => `${scenario.id}-${scenario.work.split('/').pop() ?? ''}`;

async function engine(scenario: Scenario, source: { url: string; ref: string }): Promise<SyncEngine> {
  const redactor = new Redactor([GIT_PASSWORD]);
  const credentials = () => Promise.resolve({ username: GIT_USER, password: GIT_PASSWORD });
  const deploy = deployRepository(scenario);
  await scenario.remote.createRepo(deploy);
  return new SyncEngine(
    {
      source: { ...source, path: 'specs' },
      target: { url: scenario.remote.url(deploy), branch: 'deploy', path: 'prod' },
      cacheDir: join(scenario.work, 'cache'),
      backoffMs: 5,
    },
    {
      render: hydrate,
      catalog: scenario.catalog,
      credentials: { source: credentials, target: credentials },
      redactor,
      logger: jsonLogger(() => undefined, redactor),
    },
  );
}

/** A pull request's view: what it adds, what it refuses, and the comment it posted. */
function reportView(report: PlanReport, prefix: string, comment: string | undefined): RouteView {
  return {
    rendered: sorted(
      report.workspaces.filter((w) => w.change === 'added').map((w) => `${w.namespace}/${w.name}`),
    ),
    refused: refusedFrom(report.refused, prefix),
    manifests: report.workspaces.map((w) => w.diff).join(''),
    ...(comment === undefined ? {} : { comment }),
  };
}

/** The GitHub repository the pull-request routes comment on, with the head commit known to it. */
function pullRequestRepository(scenario: Scenario, head: string): string {
  const repository = `acme/${repositoryName(scenario)}`;
  scenario.github.repository(repository).commits.add(head);
  return repository;
}
const commentOn = (scenario: Scenario, repository: string) =>
  scenario.github.repository(repository).comments[0]?.body;

const RUNNERS: Record<Route, (scenario: Scenario) => Promise<RouteView>> = {
  async synth({ fixture, work }) {
    await writeFixture(join(work, 'specs'), fixture);
    const run = await runCli(['synth', '--workspaces', 'specs', '--out', 'out', '-o', 'json'], work);
    const json = JSON.parse(run.stdout) as {
      workspaces: { namespace: string; name: string; status: string }[];
      errors: ErrorJson[];
    };
    return {
      rendered: sorted(
        json.workspaces.filter((w) => w.status === 'rendered').map((w) => `${w.namespace}/${w.name}`),
      ),
      refused: refusedFrom(json.errors, 'specs'),
      manifests: await treeText(join(work, 'out')),
    };
  },

  async validate({ fixture, work }) {
    await writeFixture(join(work, 'specs'), fixture);
    const run = await runCli(['validate', 'specs', '-o', 'json'], work);
    const json = JSON.parse(run.stdout) as { valid: string[]; errors: ErrorJson[] };
    return { rendered: sorted(json.valid), refused: refusedFrom(json.errors, 'specs'), manifests: '' };
  },

  async plan({ fixture, work }) {
    await writeFixture(join(work, 'specs'), fixture);
    const run = await runCli(['plan', 'specs', '-o', 'json'], work);
    const json = JSON.parse(run.stdout) as PlanOutputJson;
    return {
      rendered: sorted(json.plans.map((p) => `${p.workspace.namespace}/${p.workspace.name}`)),
      refused: refusedFrom(json.errors, 'specs'),
      manifests: json.plans.map((p) => p.command.join(' ')).join('\n'),
    };
  },

  async sync(scenario) {
    const { url } = await sourceRepository(scenario);
    const result = await (await engine(scenario, { url, ref: 'feature' })).sync();
    const deploy = join(scenario.work, 'deploy');
    await git(
      scenario.work,
      'clone',
      '-q',
      '--branch',
      'deploy',
      scenario.remote.authedUrl(deployRepository(scenario)),
      deploy,
    );
    return {
      rendered: sorted(
        result.workspaces.filter((w) => w.status === 'rendered').map((w) => `${w.namespace}/${w.name}`),
      ),
      refused: refusedFrom(result.errors, 'specs'),
      manifests: await treeText(join(deploy, 'prod')),
    };
  },

  async 'report plan'(scenario) {
    const { checkout, head } = await sourceRepository(scenario);
    const repository = pullRequestRepository(scenario, head);
    const run = await runCli(
      [
        'report',
        'plan',
        '--base',
        'origin/main',
        '--source-path',
        'specs',
        '--github',
        repository,
        '--pr',
        '1',
        '-o',
        'json',
      ],
      checkout,
      { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: scenario.github.url },
    );
    return reportView(JSON.parse(run.stdout) as PlanReport, 'specs', commentOn(scenario, repository));
  },

  async 'pull-request comment'(scenario) {
    const { url, head } = await sourceRepository(scenario);
    const repository = pullRequestRepository(scenario, head);
    const sync = await engine(scenario, { url, ref: 'main' });
    const reporter = new PullRequestReporter({
      provider: 'github',
      hostFor: (name) =>
        new GitHubHost({
          repository: name,
          apiUrl: scenario.github.url,
          auth: { token: TOKEN },
          writeSpacingMs: 0,
          notFound: 'the repository',
        }),
      source: { url, ref: 'main', path: 'specs' },
      withSourceMirror: (task) => sync.withSourceMirror(task),
      render: hydrate,
      catalog: scenario.catalog,
    });
    const outcome = await reporter.report({
      provider: 'github',
      repository,
      urls: [url],
      number: 1,
      action: 'opened',
      head,
      baseRef: 'main',
    });
    return reportView(outcome.report, 'specs', commentOn(scenario, repository));
  },

  async 'cdk8s synth'({ fixture, work }) {
    const project = join(work, 'project');
    await writeFixture(join(project, 'gitops', 'workspaces'), fixture);
    const config = (await readFile(join(repo, 'cdk8s.yaml'), 'utf8')).replace(
      'node src/cli/cdk8s-app.ts',
      `node ${join(repo, 'src', 'cli', 'cdk8s-app.ts')}`,
    );
    await writeFile(join(project, 'cdk8s.yaml'), config);
    // cdk8s-cli fails (exit 1) when a spec is refused; what kaito-gitops said is on stderr either way.
    const stderr = await exec(join(repo, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade'], {
      cwd: project,
      env: { PATH: process.env['PATH'] ?? '', HOME: work, XDG_CACHE_HOME: join(work, 'cache') },
    }).then(
      (done) => done.stderr,
      (error: unknown) => (error as { stderr: string }).stderr,
    );
    const prefix = 'gitops/workspaces/';
    const refused: Record<string, string> = {};
    for (const line of stderr.split('\n')) {
      if (!line.startsWith(prefix)) continue;
      const file = line.slice(prefix.length).replace(/[:].*$/, '');
      refused[file] ??= line.slice(prefix.length + file.length).replace(/^(:\d+)*: /, '');
    }
    const inventory = JSON.parse(
      await readFile(join(project, 'dist', 'inventory.json'), 'utf8').catch(() => '{"workspaces":[]}'),
    ) as { workspaces: { namespace: string; name: string }[] };
    return {
      rendered: sorted(inventory.workspaces.map((w) => `${w.namespace}/${w.name}`)),
      refused,
      manifests: await treeText(join(project, 'dist')).catch(() => ''),
    };
  },
};
