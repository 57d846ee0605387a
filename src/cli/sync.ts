/**
 * `kaito-gitops sync`: turn each new source commit into one commit on the deploy branch holding the
 * rendered Kustomize tree. `--once` runs one pass and exits 0 (all synced), 1 (some spec refused, the
 * rest synced), 2 (usage) or 3 (git remote failure after retries), 130 (stopped by a signal).
 * `--interval` and/or `--listen` keep running until SIGTERM/SIGINT (then exit 0): polling, and a
 * webhook server with health, readiness and metrics; a failed pass is tried again with backoff.
 * Credentials come from the environment or files only, never from flags.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { UsageError, formatProblem } from '../errors.ts';
import { hydrate } from '../pipeline.ts';
import {
  PullRequestQueue,
  PullRequestReporter,
  Redactor,
  SyncEngine,
  SyncLoop,
  SyncMetrics,
  SYNC_STEPS,
  createSyncServer,
  credentialSettingsFromEnv,
  credentialSourceFrom,
  TOKEN_USERNAME,
  parseRepositoryUrl,
  type CredentialSource,
  redactUrl,
  type SyncConfig,
  type SyncResult,
  type SyncStep,
} from '../sync/index.ts';
import { jsonLogger, type Logger } from '../observe/index.ts';
import type { Catalog } from '../catalog/index.ts';
import {
  githubAppTokens,
  type CodeHost,
  type GitHubAppCredentials,
  type ProviderName,
} from '../report/index.ts';
import { API_URL_ENV, apiUrlOf, githubAppFromEnv, reportHosts } from './code-host.ts';
import { startProgress } from './progress.ts';
import { EXIT, outputFlag, outputFormat, parseFlags, type CliIO, type Command } from './command.ts';
import { parseDuration } from './duration.ts';
import { parseListenAddress } from './listen-address.ts';
import { userCacheDir } from './cache-dir.ts';
import { catalogFlags, cloudFlag, layoutFlags, layoutOf, loadCatalog } from './inputs.ts';
import { shardNotes } from './shard-notes.ts';
import { reportPlanCommand } from './report.ts';

const usage = `usage: kaito-gitops sync --source URL [--source-ref main] [--source-path DIR]
                         [--target URL] [--target-branch deploy] [--target-path DIR]
                         (--once | --interval 30s | --listen :8080) [--allow-empty] [--adopt]
                         [--flux-units] [--retire-empty-shards]
                         [--cache-dir DIR] [--git-timeout 30s] [--output text|json]
                         [--report github|gitlab [--report-api-url URL]]

  --source URL          repository holding the Workspace specs (https; http for local servers)
  --source-ref BRANCH   branch of the specs (default: main)
  --source-path DIR     directory of the specs in the source repository (default: the root)
  --target URL          repository of the deploy branch (default: the source repository)
  --target-branch NAME  deploy branch, created when missing (default: deploy)
  --target-path DIR     directory of the rendered tree on the deploy branch (default: the root); only
                        the files kaito-gitops wrote there (its inventory.json) are ever changed
  --once                one pass, then exit 0 synced, 1 some spec refused, 3 git remote failure
  --interval DURATION   poll the source every DURATION (30s, 5m) and sync what changed, until stopped
  --listen [HOST]:PORT  serve POST /webhook, GET /healthz, /readyz, /metrics, until stopped
                        (one of --once, --interval, --listen is required)
  --allow-empty         let a source without any Workspace remove every workspace of the deploy path
  --adopt               write into a --target-path that holds files but no inventory.json, beside them
  --flux-units          also write flux-units/: one Flux Kustomization per shard, for init --flux-units
                        (once written, they stay)
  --retire-empty-shards remove the shards that were empty already in the previous tree
  --cache-dir DIR       where the clones are kept between passes (default: the user cache directory,
                        $XDG_CACHE_HOME/kaito-gitops/sync or ~/.cache/kaito-gitops/sync)
  --git-timeout DURATION  how long a git request may wait for an answer (default: 30s)
  --max-attempts N      passes tried when the deploy branch moves or the remote fails (default: 6)
  --presets DIR, --cloud NAME   catalog, as for synth
  -o, --output          text (default) or json (--once only)
  --report github|gitlab  with --listen: plan comments on pull requests. A pull_request (GitHub) or
                        merge_request (GitLab) webhook that opens a pull request or moves its head or
                        base gets the sticky comment and the kaito-gitops/plan status that
                        report plan writes (default: off)
  --report-api-url URL  GitHub Enterprise / self-managed GitLab API root (default: $GITHUB_API_URL or
                        $CI_SERVER_URL, else the public service)

environment (never flags, never printed):
  KAITO_GITOPS_GIT_TOKEN | _TOKEN_FILE [+ _USERNAME, default x-access-token]   token auth
  KAITO_GITOPS_GIT_USERNAME + _PASSWORD | _PASSWORD_FILE                       basic auth
  KAITO_GITOPS_GITHUB_APP_ID + _APP_INSTALLATION_ID + _APP_PRIVATE_KEY[_FILE]   a GitHub App instead:
                                        installation tokens minted and refreshed before they expire
                                        (API root: $GITHUB_API_URL or api.github.com)
  KAITO_GITOPS_TARGET_GIT_*             the same, for the deploy repository only
  KAITO_GITOPS_WEBHOOK_SECRET | _FILE   secret of POST /webhook (GitHub HMAC, GitLab token, Azure DevOps password)
  GITHUB_TOKEN | KAITO_GITOPS_GITHUB_TOKEN[_FILE] | the GitHub App above   --report github (API)
  KAITO_GITOPS_GITLAB_TOKEN[_FILE]                                         --report gitlab (API)`;

const flags = {
  source: { type: 'string' },
  'source-ref': { type: 'string', default: 'main' },
  'source-path': { type: 'string', default: '' },
  target: { type: 'string' },
  'target-branch': { type: 'string', default: 'deploy' },
  'target-path': { type: 'string', default: '' },
  once: { type: 'boolean', default: false },
  interval: { type: 'string' },
  listen: { type: 'string' },
  'cache-dir': { type: 'string' },
  'git-timeout': { type: 'string', default: '30s' },
  'max-attempts': { type: 'string', default: '6' },
  'allow-empty': { type: 'boolean', default: false },
  adopt: { type: 'boolean', default: false },
  ...layoutFlags,
  report: { type: 'string', default: '' },
  'report-api-url': { type: 'string', default: '' },
  ...catalogFlags,
  ...outputFlag,
} as const;

/** What `sync` was asked to do, parsed and checked. */
interface SyncRequest {
  config: SyncConfig;
  output: 'text' | 'json';
  /** Poll every this many ms. */
  interval?: number;
  listen?: { host: string; port: number };
  presets: string | undefined;
  /** `--report` and `--report-api-url`, as given (checked when the credentials are read). */
  report: { provider: string; apiUrl: string };
}

export const sync: Command = {
  name: 'sync',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const request = parseRequest(args, io);
    const { config } = request;
    const redactor = new Redactor();
    const read = (path: string) => readFile(resolve(io.cwd, path), 'utf8');
    const shared = credentialSettingsFromEnv(io.env, 'KAITO_GITOPS_GIT');
    const targetOnly = credentialSettingsFromEnv(io.env, 'KAITO_GITOPS_TARGET_GIT');
    const app = await githubAppFromEnv(io.env, read);
    if (app !== undefined && shared !== undefined) {
      throw new UsageError(
        'set either a GitHub App (KAITO_GITOPS_GITHUB_APP_*) or KAITO_GITOPS_GIT_*, not both',
      );
    }
    const sourceCredentials =
      app === undefined
        ? credentialSourceFrom(shared, read, redactor)
        : githubAppCredentials(app, apiUrlOf({ provider: 'github', repository: '' }, io.env), redactor);
    const targetCredentials =
      targetOnly === undefined ? sourceCredentials : credentialSourceFrom(targetOnly, read, redactor);
    const webhookSecret = await readSecret(io, read, redactor);

    const serving = request.interval !== undefined || request.listen !== undefined;
    // One pass: stdout is the result, logs go to stderr. Serving: logs are the output.
    const logger = jsonLogger((line) => (serving ? io.stdout(line) : io.stderr(line)), redactor);
    const hosts = await reportHosts(
      request.report.provider,
      request.report.apiUrl,
      io.env,
      read,
      logger,
      (provider) =>
        `that the credentials can see the --source repository the webhook came from, and that --report-api-url (else ${API_URL_ENV[provider]}) is the API of its code host`,
    );
    const catalog = await loadCatalog(request.presets, io);
    const stop = new AbortController();
    void io.stopped.then(() => stop.abort());
    // One pass on a terminal: a progress line through its steps (serving: the logs say it all).
    const progress = serving ? undefined : startProgress(io, 'sync', { total: SYNC_STEPS.length });
    const engine = new SyncEngine(config, {
      render: hydrate,
      catalog,
      credentials: { source: sourceCredentials, target: targetCredentials },
      redactor,
      logger,
      // A signal ends the pass in flight at once (a push is all or nothing on the remote).
      signal: stop.signal,
      ...(progress !== undefined && {
        onStep: (step: SyncStep) => progress.update(SYNC_STEPS.indexOf(step), { detail: step }),
      }),
    });
    if (serving) {
      const reports = hosts === undefined ? undefined : { ...hosts, catalog };
      return serve(engine, request, logger, webhookSecret, reports, io);
    }
    try {
      return await once(engine, request.output, config, io, () => progress?.stop());
    } finally {
      progress?.stop();
    }
  },
};

/** Flags → a checked request; UsageError for anything a person must fix on the command line. */
function parseRequest(args: string[], io: CliIO): SyncRequest {
  const { values } = parseFlags(args, flags);
  const output = outputFormat(values.output);
  if (values.source === undefined) throw new UsageError('--source URL is required');
  const sourceUrl = parseRepositoryUrl(values.source, '--source');
  const targetUrl = values.target === undefined ? sourceUrl : parseRepositoryUrl(values.target, '--target');
  if (values.once && (values.interval !== undefined || values.listen !== undefined)) {
    throw new UsageError('--once cannot be combined with --interval or --listen');
  }
  if (!values.once && values.interval === undefined && values.listen === undefined) {
    throw new UsageError(
      'say how to run: --once (one pass), --interval DURATION (poll) or --listen [HOST]:PORT (webhooks)',
    );
  }
  const sourcePath = repositoryPath(values['source-path'], '--source-path');
  const targetPath = repositoryPath(values['target-path'], '--target-path');
  const timeoutMs = parseDuration(values['git-timeout'], '--git-timeout');
  const interval = values.interval === undefined ? undefined : parseDuration(values.interval, '--interval');
  const listen = values.listen === undefined ? undefined : parseListenAddress(values.listen, '--listen');
  if (values.report !== '' && listen === undefined) {
    throw new UsageError('--report comments on pull requests from their webhooks: it needs --listen');
  }
  const maxAttempts = Number(values['max-attempts']);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new UsageError(
      `--max-attempts must be a whole number of at least 1, not "${values['max-attempts']}"`,
    );
  }
  const config: SyncConfig = {
    source: { url: sourceUrl, ref: values['source-ref'], path: sourcePath },
    target: { url: targetUrl, branch: values['target-branch'], path: targetPath },
    cacheDir:
      values['cache-dir'] === undefined
        ? join(userCacheDir(io.env), 'sync')
        : resolve(io.cwd, values['cache-dir']),
    maxAttempts,
    timeoutMs,
    cloud: cloudFlag(values.cloud),
    allowEmpty: values['allow-empty'],
    adopt: values.adopt,
    layout: layoutOf(values),
  };
  if (
    redactUrl(config.source.url) === redactUrl(config.target.url) &&
    config.source.ref === config.target.branch
  ) {
    throw new UsageError('--target-branch must differ from --source-ref when both live in one repository');
  }
  return {
    config,
    output,
    ...(interval !== undefined ? { interval } : {}),
    ...(listen !== undefined ? { listen } : {}),
    presets: values.presets,
    report: { provider: values.report, apiUrl: values['report-api-url'] },
  };
}

/** `--once`: one pass, the result on stdout, refused specs on stderr. */
async function once(
  engine: SyncEngine,
  output: 'text' | 'json',
  config: SyncConfig,
  io: CliIO,
  done: () => void,
): Promise<number> {
  const result = await engine.sync();
  done();
  io.stdout(output === 'json' ? JSON.stringify(result, null, 2) + '\n' : summaryText(result, config));
  if (output === 'text') for (const line of shardNotes(result.shards)) io.stdout(`${line}\n`);
  if (output === 'text')
    for (const error of result.errors) {
      for (const problem of error.problems) io.stderr(`${formatProblem(problem, error)}\n`);
    }
  return result.errors.length > 0 ? EXIT.invalid : EXIT.ok;
}

/** `--report`: the code host and the catalog the comments are planned with. */
interface ReportSettings {
  provider: ProviderName;
  hostFor: (repository: string) => CodeHost;
  catalog: Catalog;
}

/** `--interval` / `--listen`: poll and serve the webhook until stopped. */
async function serve(
  engine: SyncEngine,
  request: SyncRequest,
  logger: Logger,
  webhookSecret: string | undefined,
  reports: ReportSettings | undefined,
  io: CliIO,
): Promise<number> {
  const { config, interval, listen } = request;
  const metrics = new SyncMetrics();
  const loop = new SyncLoop(engine, metrics, logger, redactUrl(config.source.url));
  const pullRequests =
    reports === undefined
      ? undefined
      : new PullRequestQueue(
          new PullRequestReporter({
            ...reports,
            source: config.source,
            withSourceMirror: (task) => engine.withSourceMirror(task),
            render: hydrate,
            ...(config.cloud === undefined ? {} : { cloud: config.cloud }),
            fullCommand: (base, head) => reportPlanCommand(base, head, config.source.path),
          }),
          metrics,
          logger,
        );
  const server =
    listen === undefined
      ? undefined
      : createSyncServer({
          loop,
          metrics,
          logger,
          sourceRef: config.source.ref,
          webhookSecret,
          ...(pullRequests === undefined ? {} : { pullRequests }),
        });
  if (server !== undefined && listen !== undefined) {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(listen.port, listen.host, () => ok());
    });
    const address = server.address() as AddressInfo;
    logger.log('info', 'listening', {
      address: `http://${address.address}:${address.port}`,
      webhook: webhookSecret !== undefined,
      pullRequestComments: reports?.provider ?? 'off',
    });
  }
  // Poll and retry timers do not hold the process open by themselves; this does, until a signal.
  const alive = setInterval(() => undefined, 2 ** 31 - 1);
  void loop.trigger('startup');
  if (interval !== undefined) loop.poll(interval);
  await io.stopped;
  clearInterval(alive);
  loop.stop();
  pullRequests?.stop();
  if (server !== undefined) {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }
  await Promise.all([loop.idle(), pullRequests?.idle()]);
  logger.log('info', 'stopped');
  return EXIT.ok;
}

function summaryText(result: SyncResult, config: SyncConfig): string {
  const short = (sha: string) => sha.slice(0, 12);
  const verb = result.outcome === 'pushed' ? 'pushed' : 'up to date:';
  return (
    `${verb} ${short(result.deployCommit)} on ${redactUrl(config.target.url)} ${config.target.branch}:${config.target.path || '.'} ` +
    `from source ${short(result.sourceCommit)} (${result.workspaceCount} workspaces, ${result.changed} changed, ${result.errors.length} refused)\n`
  );
}

async function readSecret(
  io: CliIO,
  read: (path: string) => Promise<string>,
  redactor: Redactor,
): Promise<string | undefined> {
  const value = io.env['KAITO_GITOPS_WEBHOOK_SECRET'];
  const file = io.env['KAITO_GITOPS_WEBHOOK_SECRET_FILE'];
  if (value && file)
    throw new UsageError('set KAITO_GITOPS_WEBHOOK_SECRET or KAITO_GITOPS_WEBHOOK_SECRET_FILE, not both');
  const secret = value || (file ? (await read(file)).trim() : undefined);
  if (secret !== undefined && secret.length < 8)
    throw new UsageError('the webhook secret must be at least 8 characters');
  redactor.add(secret);
  return secret;
}

/**
 * A directory inside the repository (`gitops/workspaces`, `clusters/prod`, `""` or `.` for the root),
 * checked before anything is fetched: relative, `/`-separated, no `..`.
 */
export function repositoryPath(value: string, flag: string): string {
  const parts = value.split('/').filter((part) => part !== '' && part !== '.');
  if (value.startsWith('/') || value.includes('\\') || value.includes('\0') || parts.includes('..')) {
    throw new UsageError(
      `${flag} must be a directory inside the repository, such as clusters/prod (relative, with / and no ..), not ${JSON.stringify(value)}`,
    );
  }
  return parts.join('/');
}

/** Git credentials from a GitHub App: the installation token (cached, minted again before it expires). */
function githubAppCredentials(
  app: GitHubAppCredentials,
  apiUrl: string,
  redactor: Redactor,
): CredentialSource {
  const token = githubAppTokens({ ...app, apiUrl });
  return async () => {
    const password = await token();
    redactor.add(password);
    return { username: TOKEN_USERNAME, password };
  };
}
