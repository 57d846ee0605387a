/**
 * `kaito-gitops init`: write the Flux and/or Argo CD bootstrap for a deploy branch (the committed
 * `gitops/flux` and `gitops/argocd` are this command's output for the example values).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { bootstrapTree, fluxTimeout, type BootstrapTool, type FluxTimeout } from '../install/index.ts';
import { hydrate } from '../pipeline.ts';
import { FLUX_UNITS_DIR, hasFluxUnits, readTree, shardNames } from '../render/index.ts';
import { parseRepositoryUrl } from '../sync/index.ts';
import { EXIT, parseFlags, stopSignal, type CliIO, type Command } from './command.ts';
import { parseDuration } from './duration.ts';
import { catalogFlags, cloudFlag, loadCatalog } from './inputs.ts';
import { checkReportFlags } from './report-flags.ts';
import { readSources } from './sources.ts';

const usage = `usage: kaito-gitops init --repo URL --branch BRANCH --path DIR [--flux] [--argocd] --out DIR
                         [--tree DIR | --flux-units] [--source URL] [--source-ref main]
                         [--source-path gitops/workspaces] [--image IMAGE] [--interval 5m]
                         [--workspaces DIR | --flux-timeout DURATION]
                         [--report github|gitlab [--report-api-url URL]]

  --repo URL          repository of the deploy branch (what Flux or Argo CD applies)
  --branch BRANCH     the deploy branch
  --path DIR          directory of the rendered tree on the deploy branch, e.g. clusters/prod
  --flux, --argocd    which bootstrap to write (default: both), into DIR/flux and DIR/argocd
  --out DIR           where to write
  --tree DIR          the rendered tree (a checkout of the deploy branch at --path, or synth's --out):
                      one Flux Kustomization per shard in it (default: --path in the current
                      directory; without a tree, one for the whole path). Argo CD's ApplicationSet
                      finds the shards itself
  --flux-units        Flux applies the tree's flux-units/ through one root Kustomization instead, and the
                      sync server writes them (sync --flux-units): new shards need no init (the default
                      when the tree has flux-units/)
  --source URL        repository of the Workspace specs the sync server reads (default: --repo)
  --source-ref, --source-path   branch and directory of the specs (default: main, gitops/workspaces)
  --image IMAGE       sync server image (default: ghcr.io/kaito-gitops/kaito-gitops:<version>)
  --interval DURATION how often the sync server polls the source (default: 5m)
  --workspaces DIR    the specs the Flux timeout is computed from: the slowest start-up among them plus
                      20 min for a GPU node and the image, at least 30m, at most 4h (default: gitops/workspaces)
  --flux-timeout DURATION   the Flux Kustomization timeout, instead of computing it
  --presets DIR, --cloud NAME   catalog and cloud the specs are planned with (as for plan)
  --report github|gitlab    the sync server also writes every pull request's plan comment (sync --report),
                      with the credentials in the optional Secret kaito-gitops/kaito-gitops-report
  --report-api-url URL      GitHub Enterprise / self-managed GitLab API root`;

/** The Flux timeout: `--flux-timeout`, else computed from the plans of the specs in `--workspaces`. */
async function chooseFluxTimeout(
  values: { 'flux-timeout'?: string; workspaces?: string; presets?: string; cloud?: string },
  io: CliIO,
): Promise<FluxTimeout> {
  const given = values['flux-timeout'];
  if (given !== undefined) {
    const ms = parseDuration(given, '--flux-timeout');
    return { timeout: given, minutes: Math.ceil(ms / 60_000), reason: 'from --flux-timeout' };
  }
  const dir = values.workspaces ?? 'gitops/workspaces';
  const source = await readSources([dir], io.cwd).catch((error: unknown) => {
    if (error instanceof UsageError && values.workspaces === undefined) return undefined;
    throw error;
  });
  if (source === undefined) return { ...fluxTimeout([]), reason: `no specs at ${dir}: the minimum` };
  const catalog = await loadCatalog(values.presets, io);
  const { plans } = hydrate(source.files, {
    catalog,
    repository: source.repository,
    cloud: cloudFlag(values.cloud),
  });
  return fluxTimeout(plans);
}

export const init: Command = {
  name: 'init',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseFlags(args, {
      repo: { type: 'string' },
      branch: { type: 'string' },
      path: { type: 'string' },
      flux: { type: 'boolean', default: false },
      argocd: { type: 'boolean', default: false },
      out: { type: 'string' },
      source: { type: 'string' },
      'source-ref': { type: 'string' },
      'source-path': { type: 'string' },
      image: { type: 'string' },
      interval: { type: 'string' },
      workspaces: { type: 'string' },
      'flux-timeout': { type: 'string' },
      tree: { type: 'string' },
      'flux-units': { type: 'boolean', default: false },
      report: { type: 'string', default: '' },
      'report-api-url': { type: 'string', default: '' },
      ...catalogFlags,
    });
    for (const flag of ['repo', 'branch', 'path', 'out'] as const) {
      if (values[flag] === undefined || values[flag] === '') throw new UsageError(`--${flag} is required`);
    }
    for (const flag of ['repo', 'source'] as const) {
      const url = values[flag];
      if (url !== undefined) parseRepositoryUrl(url, `--${flag}`);
    }
    if (values.interval !== undefined) parseDuration(values.interval, '--interval');
    const report = checkReportFlags(values.report, values['report-api-url']);
    if (report === undefined && values['report-api-url'] !== '')
      throw new UsageError('--report-api-url needs --report github|gitlab');
    const tools: BootstrapTool[] =
      values.flux === values.argocd ? ['flux', 'argocd'] : values.flux ? ['flux'] : ['argocd'];
    const timeout = tools.includes('flux') ? await chooseFluxTimeout(values, io) : undefined;
    const rendered = readRendered(values.tree ?? values.path ?? '', values.tree !== undefined, io);
    const shards = rendered === undefined ? undefined : shardNames(rendered);
    const fluxUnits = values['flux-units'] || (rendered !== undefined && hasFluxUnits(rendered));
    const tree = bootstrapTree(
      {
        repo: values.repo ?? '',
        branch: values.branch ?? '',
        path: values.path ?? '',
        ...(values.source !== undefined && { source: values.source }),
        ...(values['source-ref'] !== undefined && { sourceRef: values['source-ref'] }),
        ...(values['source-path'] !== undefined && { sourcePath: values['source-path'] }),
        ...(values.image !== undefined && { image: values.image }),
        ...(values.interval !== undefined && { interval: values.interval }),
        ...(timeout !== undefined && { fluxTimeout: timeout.timeout }),
        ...(shards !== undefined && { shards }),
        fluxUnits,
        ...(report !== undefined && { report }),
      },
      tools,
    );
    const out = resolve(io.cwd, values.out ?? '');
    stopSignal(io).check();
    for (const [path, text] of tree) {
      const file = join(out, path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
      io.stdout(`wrote ${join(values.out ?? '', path)}\n`);
    }
    if (timeout !== undefined) io.stdout(`flux timeout ${timeout.timeout}: ${timeout.reason}\n`);
    if (tools.includes('flux'))
      io.stdout(`flux: ${fluxUnitsLine(fluxUnits, shards, values.tree ?? values.path ?? '')}\n`);
    if (tools.includes('argocd'))
      io.stdout('argocd: an ApplicationSet makes one Application per shard, new shards included\n');
    return EXIT.ok;
  },
};

/**
 * The inventory of the rendered tree at `dir` (it lists `shards/<name>/kustomization.yaml` and any
 * `flux-units/`), or undefined when nothing was rendered there; an explicit `--tree` must hold a tree.
 */
function readRendered(dir: string, explicit: boolean, io: CliIO): { files: string[] } | undefined {
  const { inventory } = readTree(resolve(io.cwd, dir));
  if (inventory === undefined && explicit)
    throw new UsageError(`--tree ${dir}: no rendered tree there (no inventory.json)`);
  return inventory;
}

function fluxUnitsLine(fluxUnits: boolean, shards: readonly string[] | undefined, tree: string): string {
  if (fluxUnits)
    return `one root Kustomization applies ${FLUX_UNITS_DIR}/ of the tree, which sync --flux-units keeps to one unit per shard, new shards included`;
  if (shards === undefined)
    return `no rendered tree at ${tree}: one Kustomization for the whole path; run init again with --tree after the first sync to apply it shard by shard`;
  return `${shards.length} ${shards.length === 1 ? 'shard' : 'shards'}, one Kustomization each; run init --tree again when a sync opens a shard`;
}
