/**
 * `kaito-gitops sync`: hydrate the Workspace specs of a source repository onto a deploy branch, once
 * (`--once`) or continuously (`--interval`, with `--listen` for webhooks, health and metrics).
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { Syncer, type SyncConfig, type SyncResult } from '../sync/index.ts';
import { startService } from '../sync/service.ts';
import { EXIT, outputFlag, outputFormat, parseFlags, type CliIO, type Command } from './command.ts';
import { gitCredentials, repositoryUrl } from './git-credentials.ts';
import { catalogFlags, cloudFlag, errorsJson, loadCatalog, reportErrors } from './inputs.ts';

const usage = `usage: kaito-gitops sync --source URL [flags] (--once | --interval 30s [--listen :8080])

  --source URL         source repository (https://; credentials come from the environment)
  --source-ref BRANCH  branch holding the specs (default: main)
  --source-path DIR    directory of the specs in it (default: gitops/workspaces)
  --target URL         deploy repository (default: the source repository)
  --target-branch B    branch the tree is committed to, created (orphan) when missing (default: deploy)
  --target-path DIR    directory of the tree in that branch (default: clusters/prod)
  --work-dir DIR       where the clones are kept between passes (default: $TMPDIR/kaito-gitops-sync)
  --once               one pass, then exit
  --interval DURATION  pass every DURATION (30s, 5m) and on webhooks, until stopped
  --listen ADDR        serve POST /webhook, /healthz, /readyz, /metrics on [HOST]:PORT (with --interval)
  --presets DIR        catalog directory (default: the presets/ shipped with kaito-gitops)
  --cloud NAME         cloud whose SKUs a Workspace without instanceType is sized against (default: azure)
  -o, --output         text (default) or json (--once)

environment: KAITO_GITOPS_GIT_TOKEN[_FILE] (user x-access-token unless KAITO_GITOPS_GIT_USERNAME),
  or KAITO_GITOPS_GIT_USERNAME + KAITO_GITOPS_GIT_PASSWORD[_FILE]; KAITO_GITOPS_WEBHOOK_SECRET.
exit: 0 all specs synced, 1 some spec refused (the rest synced), 2 usage, 3 git/remote failure.`;

export const sync: Command = {
  name: 'sync',
  summary: 'Hydrate Workspace specs from a source repository onto a deploy branch (once or continuously)',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseFlags(args, {
      source: { type: 'string' },
      'source-ref': { type: 'string', default: 'main' },
      'source-path': { type: 'string', default: 'gitops/workspaces' },
      target: { type: 'string' },
      'target-branch': { type: 'string', default: 'deploy' },
      'target-path': { type: 'string', default: 'clusters/prod' },
      'work-dir': { type: 'string' },
      once: { type: 'boolean', default: false },
      interval: { type: 'string' },
      listen: { type: 'string' },
      ...catalogFlags,
      ...outputFlag,
    });
    if (values.source === undefined) throw new UsageError('--source is required');
    const source = repositoryUrl('--source', values.source);
    const target = values.target === undefined ? source : repositoryUrl('--target', values.target);
    if (values.once === (values.interval !== undefined))
      throw new UsageError('give exactly one of --once and --interval');
    if (values.listen !== undefined && values.once)
      throw new UsageError('--listen needs --interval, not --once');
    const output = outputFormat(values.output);
    const config: SyncConfig = {
      source,
      sourceRef: branchName('--source-ref', values['source-ref']),
      sourcePath: treePath('--source-path', values['source-path']),
      target,
      targetBranch: branchName('--target-branch', values['target-branch']),
      targetPath: treePath('--target-path', values['target-path']),
      workDir: resolve(io.cwd, values['work-dir'] ?? join(tmpdir(), 'kaito-gitops-sync')),
      catalog: await loadCatalog(values.presets, io),
      cloud: cloudFlag(values.cloud),
      credentials: await gitCredentials(io.env),
    };
    if (config.source === config.target && config.sourceRef === config.targetBranch) {
      throw new UsageError(
        '--target-branch must differ from --source-ref when the target is the source repository',
      );
    }
    const syncer = new Syncer(config);

    if (values.once) {
      const result = await syncer.sync();
      if (output === 'json') io.stdout(JSON.stringify(resultJson(result), null, 2) + '\n');
      else {
        io.stdout(summary(result, config));
        reportErrors(result.errors, io);
      }
      for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
      return result.errors.length > 0 ? EXIT.invalid : EXIT.ok;
    }

    const log = (event: Record<string, unknown>) =>
      io.stderr(JSON.stringify({ time: new Date().toISOString(), ...event }) + '\n');
    const service = await startService({
      syncer,
      sourceRef: config.sourceRef,
      intervalMs: duration(values.interval ?? ''),
      listen: values.listen === undefined ? undefined : listenAddress(values.listen),
      webhookSecret: io.env['KAITO_GITOPS_WEBHOOK_SECRET'] || undefined,
      log,
    });
    await io.stopped;
    log({ msg: 'stopping' });
    await service.stop();
    return EXIT.ok;
  },
};

function summary(result: SyncResult, config: SyncConfig): string {
  const count = (status: string) => result.workspaces.filter((w) => w.status === status).length;
  const where = `${config.targetBranch}:${config.targetPath || '.'}`;
  const what = result.pushed
    ? `pushed ${result.deployCommit.slice(0, 12)} to ${where} (${result.changed.length} files changed)`
    : `${where} already holds this render; nothing pushed`;
  return (
    `source ${result.sourceCommit.slice(0, 12)}: ${count('rendered')} rendered, ${count('unchanged')} unchanged, ` +
    `${count('kept')} kept, ${count('removed')} removed; ${what}\n`
  );
}

function resultJson(result: SyncResult) {
  return { ...result, errors: errorsJson(result.errors) };
}

/** `30s`, `5m`, `1h`, `500ms` → milliseconds; at least one second, so a typo cannot hammer the remote. */
export function duration(value: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(value);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  const ms = match ? Number(match[1]) * unit[match[2] as keyof typeof unit] : NaN;
  if (!(ms >= 1000))
    throw new UsageError(`--interval ${value} must be a duration of at least 1s, such as 30s or 5m`);
  return ms;
}

/** `:8080`, `127.0.0.1:8080`, `[::1]:8080`. */
export function listenAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new UsageError(`--listen ${value} must be [HOST]:PORT, such as :8080`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

function branchName(flag: string, value: string): string {
  if (!/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/.test(value) || value.endsWith('/') || value.endsWith('.lock')) {
    throw new UsageError(`${flag} "${value}" is not a valid branch name`);
  }
  return value;
}

function treePath(flag: string, value: string): string {
  const trimmed = value.replace(/^\.?\/+|\/+$/g, '');
  if (trimmed.split('/').some((part) => part === '..' || part === '.git')) {
    throw new UsageError(`${flag} "${value}" must be a path inside the repository`);
  }
  return trimmed === '.' ? '' : trimmed;
}
