/**
 * `kaito-gitops report plan`: what a pull request changes, before it merges. Run inside a checkout
 * (in CI): both revisions' specs go through the pipeline, and the result is the sticky comment on
 * the pull request plus the `kaito-gitops/plan` status on its head, or, without a provider flag, the
 * comment's Markdown (or JSON) on stdout for any CI to use. Exit 0 everything rendered, 1 a spec was
 * refused, 2 usage, 3 the provider failed.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { hydrate } from '../pipeline.ts';
import {
  comparePlans,
  planMarkdown,
  planStatus,
  publishPlan,
  type PlanReport,
  type PullRequestOutcome,
} from '../report/index.ts';
import { IncrementalRenderer } from '../sync/index.ts';
import { openCodeHost, type CodeHostTarget } from './code-host.ts';
import { EXIT, parseFlags, type CliIO, type Command } from './command.ts';
import { commitOf, mergeBase, sourceAt } from './git-revision.ts';
import { catalogFlags, cloudFlag, loadCatalog } from './inputs.ts';

const DEFAULT_SOURCE_PATH = 'gitops/workspaces';

const usage = `usage: kaito-gitops report plan --base REF [--head REF] [--source-path DIR]
                               [--github OWNER/REPO --pr N | --gitlab GROUP/PROJECT --mr N]
                               [--github-api-url URL | --gitlab-url URL] [--output markdown|json]

  --base REF            the branch the pull request merges into (origin/main); compared from the
                        merge base with --head, like the pull request's own diff
  --head REF            the pull request's head (default: HEAD)
  --source-path DIR     directory of the specs in the repository (default: ${DEFAULT_SOURCE_PATH})
  --github OWNER/REPO --pr N          write the sticky comment and the kaito-gitops/plan status on GitHub
  --gitlab GROUP/PROJECT --mr N       the same on GitLab (merge request iid)
  --github-api-url URL  GitHub Enterprise: https://HOST/api/v3 (default: $GITHUB_API_URL or api.github.com)
  --gitlab-url URL      self-managed GitLab (default: $CI_SERVER_URL or https://gitlab.com)
  --presets DIR, --cloud NAME   catalog, as for synth
  -o, --output          markdown (default) or json; without a provider this is the comment itself

environment (never flags, never printed):
  GITHUB_TOKEN | KAITO_GITOPS_GITHUB_TOKEN | KAITO_GITOPS_GITHUB_TOKEN_FILE
  KAITO_GITOPS_GITHUB_APP_ID + _APP_PRIVATE_KEY_FILE + _APP_INSTALLATION_ID   (a GitHub App instead)
  KAITO_GITOPS_GITLAB_TOKEN | KAITO_GITOPS_GITLAB_TOKEN_FILE

exit: 0 everything rendered, 1 a spec was refused, 2 usage, 3 the provider failed`;

interface ReportConfig {
  base: string;
  head: string;
  sourcePath: string;
  target?: CodeHostTarget & { number: number };
  output: 'markdown' | 'json';
}

export const report: Command = {
  name: 'report',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseFlags(
      args,
      {
        base: { type: 'string' },
        head: { type: 'string', default: 'HEAD' },
        'source-path': { type: 'string', default: DEFAULT_SOURCE_PATH },
        github: { type: 'string' },
        pr: { type: 'string' },
        gitlab: { type: 'string' },
        mr: { type: 'string' },
        'github-api-url': { type: 'string' },
        'gitlab-url': { type: 'string' },
        output: { type: 'string', short: 'o', default: 'markdown' },
        ...catalogFlags,
      },
      true,
    );
    if (positionals[0] !== 'plan' || positionals.length > 1) {
      throw new UsageError(
        positionals.length === 0 ? 'name the report: plan' : `unknown report "${positionals.join(' ')}"`,
      );
    }
    const config = reportConfig(values);
    const cloud = cloudFlag(values.cloud);
    const catalog = await loadCatalog(values.presets, io);

    const head = await commitOf(io.cwd, config.head, '--head');
    const baseTip = await commitOf(io.cwd, config.base, '--base');
    let base = await mergeBase(io.cwd, baseTip, head);
    if (base === undefined) {
      io.stderr(
        `kaito-gitops report: ${config.base} and ${config.head} have no merge base in this checkout (a shallow clone?); comparing with ${config.base} itself\n`,
      );
      base = baseTip;
    }
    // Each revision with its own specs and repository files (the Hugging Face cache).
    const [baseSource, headSource] = await Promise.all([
      sourceAt(io.cwd, base, config.sourcePath),
      sourceAt(io.cwd, head, config.sourcePath),
    ]);
    const planReport = comparePlans(baseSource, headSource, {
      catalog,
      cloud,
      renderer: new IncrementalRenderer(hydrate),
    });
    const exit = planReport.summary.refused > 0 ? EXIT.invalid : EXIT.ok;
    const revisions = { base, head };

    if (config.target === undefined) {
      io.stdout(
        config.output === 'json'
          ? JSON.stringify({ ...revisions, ...planReport, status: planStatus(planReport) }, null, 2) + '\n'
          : planMarkdown(planReport, revisions),
      );
      return exit;
    }

    const read = (path: string) => readFile(resolve(io.cwd, path), 'utf8');
    const host = await openCodeHost(config.target, io.env, read, {
      log: (_level, message, fields) =>
        io.stderr(`kaito-gitops report: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
    });
    const fullCommand = reportPlanCommand(base, head, config.sourcePath);
    const outcome = await publishPlan(host, config.target.number, planReport, { ...revisions, fullCommand });
    io.stdout(
      config.output === 'json'
        ? JSON.stringify(
            { ...revisions, ...planReport, status: outcome.status, comment: outcome.comment },
            null,
            2,
          ) + '\n'
        : summaryLine(outcome, config.target, planReport),
    );
    return exit;
  },
};

/** The `report plan` command that shows everything of `base` → `head` (the comment's truncation note). */
export function reportPlanCommand(base: string, head: string, sourcePath: string): string {
  return [
    'kaito-gitops report plan',
    `--base ${base.slice(0, 12)}`,
    `--head ${head.slice(0, 12)}`,
    ...(sourcePath === DEFAULT_SOURCE_PATH ? [] : [`--source-path ${sourcePath || '.'}`]),
  ].join(' ');
}

function reportConfig(values: Record<string, string | boolean | undefined>): ReportConfig {
  const text = (name: string) => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const base = text('base');
  if (base === undefined)
    throw new UsageError('--base REF is required (the branch the pull request merges into)');
  const output = text('output');
  if (output !== 'markdown' && output !== 'json') {
    throw new UsageError(`--output must be "markdown" or "json", not "${output}"`);
  }
  const config: ReportConfig = {
    base,
    head: text('head') ?? 'HEAD',
    // `.` and `./` are the root (''), as for sync.
    sourcePath: (text('source-path') ?? DEFAULT_SOURCE_PATH)
      .split('/')
      .filter((part) => part !== '' && part !== '.')
      .join('/'),
    output,
  };
  const github = text('github');
  const gitlab = text('gitlab');
  if (github !== undefined && gitlab !== undefined)
    throw new UsageError('use --github or --gitlab, not both');
  if (github === undefined && (text('pr') !== undefined || text('github-api-url') !== undefined)) {
    throw new UsageError('--pr and --github-api-url go with --github OWNER/REPO');
  }
  if (gitlab === undefined && (text('mr') !== undefined || text('gitlab-url') !== undefined)) {
    throw new UsageError('--mr and --gitlab-url go with --gitlab GROUP/PROJECT');
  }
  if (github !== undefined) {
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(github)) {
      throw new UsageError(`--github must be OWNER/REPO, not "${github}"`);
    }
    config.target = {
      provider: 'github',
      repository: github,
      apiUrl: httpUrl(text('github-api-url'), '--github-api-url'),
      number: positive(text('pr'), '--pr'),
    };
  } else if (gitlab !== undefined) {
    if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(gitlab) && !/^\d+$/.test(gitlab)) {
      throw new UsageError(
        `--gitlab must be GROUP/PROJECT (subgroups allowed) or a project id, not "${gitlab}"`,
      );
    }
    config.target = {
      provider: 'gitlab',
      repository: gitlab,
      apiUrl: httpUrl(text('gitlab-url'), '--gitlab-url'),
      number: positive(text('mr'), '--mr'),
    };
  }
  return config;
}

function positive(value: string | undefined, flag: string): number {
  if (value === undefined) throw new UsageError(`${flag} N is required with a provider`);
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1)
    throw new UsageError(`${flag} must be a pull request number, not "${value}"`);
  return n;
}

function httpUrl(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!/^https?:\/\/[^/\s]+/.test(value))
    throw new UsageError(`${flag} must be an https:// URL, not "${value}"`);
  if (/^https?:\/\/[^/]*@/.test(value)) throw new UsageError(`${flag} must not carry credentials`);
  return value.replace(/\/+$/, '');
}

function summaryLine(
  outcome: PullRequestOutcome,
  target: CodeHostTarget & { number: number },
  report: PlanReport,
) {
  const where = `${target.repository}${target.provider === 'github' ? '#' : '!'}${target.number}`;
  const s = report.summary;
  return (
    `${outcome.comment.action} comment ${outcome.comment.commentId} on ${where}: ` +
    `${s.added} added, ${s.changed} changed, ${s.removed} removed, ${s.refused} refused; ` +
    `${outcome.status.context}: ${outcome.status.state}\n`
  );
}
