/**
 * `kaito-gitops synth`: render the Workspace specs of a directory into a Kustomize tree on disk.
 * Valid specs are rendered, a failing spec or file keeps its previous output (and the command exits 1
 * naming it), a deleted spec's directory is removed; files kaito-gitops did not write are left alone.
 * An empty source removes nothing without `--allow-empty`. Everything is read and computed before the
 * first write, and a signal stops the command before it writes or after it wrote, never in between.
 */
import { statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.ts';
import { hydrate, type HydrateResult, type WorkspaceStatus } from '../pipeline.ts';
import {
  inventoryOf,
  readTree,
  shardChanges,
  writeTree,
  type ShardChanges,
  type WriteResult,
} from '../render/index.ts';
import {
  EXIT,
  outputFlag,
  outputFormat,
  parseFlags,
  stopSignal,
  verboseFlag,
  type CliIO,
  type Command,
} from './command.ts';
import {
  catalogFlags,
  cloudFlag,
  errorsJson,
  layoutFlags,
  layoutOf,
  loadCatalog,
  loadSpecs,
  reportErrors,
} from './inputs.ts';
import { shardNotes } from './shard-notes.ts';
import { fitRows, hiddenLine } from './long-list.ts';
import { startProgress } from './progress.ts';
import { table } from './table.ts';
import { painter, type Style } from './terminal.ts';
import { keyOf } from '../api/index.ts';

const usage = `usage: kaito-gitops synth [--workspaces DIR] [--out DIR] [--allow-empty] [--presets DIR]
                         [--cloud azure|aws|arc] [--flux-units] [--retire-empty-shards]
                         [--output text|json] [--verbose]

  --workspaces DIR  Workspace specs (and the ConfigMaps they reference) (default: gitops/workspaces)
  --out DIR         where the Kustomize tree goes (default: dist)
  --allow-empty     let a source without any Workspace remove every workspace of the output
  --flux-units      also write flux-units/: one Flux Kustomization per shard, for init --flux-units
                    (once written, they stay)
  --retire-empty-shards  remove the shards that were empty already in the previous tree
  --presets DIR     catalog directory (default: the presets/ shipped with kaito-gitops)
  --cloud NAME      cloud whose SKUs a Workspace without instanceType is sized against (default: azure)
  -o, --output      text (default) or json
  --verbose         list every workspace (default: past a screenful, only those that changed or failed)`;

export const synth: Command = {
  name: 'synth',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseFlags(args, {
      workspaces: { type: 'string', default: 'gitops/workspaces' },
      out: { type: 'string', default: 'dist' },
      'allow-empty': { type: 'boolean', default: false },
      ...layoutFlags,
      ...catalogFlags,
      ...outputFlag,
      ...verboseFlag,
    });
    const output = outputFormat(values.output);
    const cloud = cloudFlag(values.cloud);
    const source = resolve(io.cwd, values.workspaces);
    const out = resolve(io.cwd, values.out);
    if (isWithin(out, source) || isWithin(source, out)) {
      throw new UsageError(
        `--out ${values.out} and --workspaces ${values.workspaces} must not contain each other`,
      );
    }
    if (statSync(out, { throwIfNoEntry: false })?.isDirectory() === false) {
      throw new UsageError(`--out ${values.out} is a file; name a directory (it is created when missing)`);
    }
    const stop = stopSignal(io);
    const catalog = await loadCatalog(values.presets, io);
    const progress = startProgress(io, 'synth');
    let specs: Awaited<ReturnType<typeof loadSpecs>>;
    let result: HydrateResult;
    let written: WriteResult;
    let previous: ReturnType<typeof readTree>;
    try {
      specs = await loadSpecs([values.workspaces], io, {
        onProgress: (done, total) => progress.update(done, { total, detail: 'reading specs' }),
      });
      stop.check();
      previous = readTree(out);
      result = hydrate(specs.files, {
        catalog,
        repository: specs.repository,
        previous: previous.tree,
        cloud,
        allowEmpty: values['allow-empty'],
        sourceName: values.workspaces,
        layout: layoutOf(values),
        onProgress: (step, done, total) => progress.update(done, { total, detail: step }),
      });
      stop.check();
      written = writeTree(out, result.tree, previous.inventory, {
        name: values.out,
        onProgress: (done, total) => progress.update(done, { total, detail: `writing ${values.out}` }),
      });
    } finally {
      progress.stop();
    }
    if (specs.files.length === 0) io.stderr(`warning: ${values.workspaces} holds no *.yaml or *.yml file\n`);
    const shards = shardChanges(previous.inventory ?? { files: [] }, inventoryOf(result.tree));
    if (output === 'json') {
      io.stdout(JSON.stringify(summaryJson(result, written, values.out, shards), null, 2) + '\n');
    } else {
      io.stdout(summaryText(result, written, values.out, { verbose: values.verbose, io }));
      for (const line of shardNotes(shards)) io.stdout(`${line}\n`);
      reportErrors(result.errors, io);
    }
    for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
    return result.errors.length > 0 ? EXIT.invalid : EXIT.ok;
  },
};

function isWithin(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`:${sep}`));
}

const STATUS_STYLE: Record<WorkspaceStatus, Style | undefined> = {
  rendered: 'green',
  unchanged: undefined,
  kept: 'red',
  refused: 'red',
  removed: 'yellow',
};

function summaryText(
  result: HydrateResult,
  written: WriteResult,
  out: string,
  options: { verbose: boolean; io: CliIO },
): string {
  const plans = new Map(result.plans.map((p) => [keyOf(p.workspace), p]));
  // Past a screenful, only what changed or failed: a re-run over 2,000 unchanged specs is one line.
  const fitted = fitRows(result.workspaces, (w) => w.status !== 'unchanged', {
    ...options,
    failed: (w) => w.status === 'kept' || w.status === 'refused',
  });
  const rows = fitted.shown.map((w) => {
    const plan = plans.get(keyOf(w));
    return {
      workspace: keyOf(w),
      status: w.status,
      sku: plan?.instanceType ?? (plan ? '(own nodes)' : ''),
      nodes: plan ? `${plan.nodes} x ${plan.gpusPerNode} GPU` : '',
      runtime: plan ? (plan.workload === 'tuning' ? 'tuning' : plan.runtime) : '',
      file: w.file,
    };
  });
  const counts = ['rendered', 'unchanged', 'kept', 'refused', 'removed']
    .map((status) => `${result.workspaces.filter((w) => w.status === status).length} ${status}`)
    .join(', ');
  const paint = painter(options.io.terminal);
  const lines = [
    ...(rows.length > 0
      ? [
          table(
            rows,
            [
              ['WORKSPACE', (r) => String(r['workspace'])],
              ['STATUS', (r) => String(r['status']), (r) => STATUS_STYLE[r['status'] as WorkspaceStatus]],
              ['INSTANCE', (r) => String(r['sku'])],
              ['NODES', (r) => String(r['nodes'])],
              ['RUNTIME', (r) => String(r['runtime'])],
              ['SPEC', (r) => String(r['file'])],
            ],
            paint,
          ),
        ]
      : []),
    ...(fitted.hidden > 0 ? [hiddenLine(fitted.hidden, 'workspaces')] : []),
    '',
    `${result.workspaces.length} workspaces: ${counts}; ${written.written.length} files written, ${written.removed.length} removed in ${out}`,
  ];
  return lines.join('\n') + '\n';
}

function summaryJson(result: HydrateResult, written: WriteResult, out: string, shards: ShardChanges) {
  return {
    out,
    workspaces: result.workspaces,
    shards,
    written: written.written,
    removed: written.removed,
    errors: errorsJson(result.errors),
    warnings: result.warnings,
  };
}
