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
import { hydrate, type HydrateResult } from '../pipeline.ts';
import { readTree, writeTree, type WriteResult } from '../render/index.ts';
import {
  EXIT,
  outputFlag,
  outputFormat,
  parseFlags,
  stopSignal,
  type CliIO,
  type Command,
} from './command.ts';
import { cacheFileFor, withCacheFile } from './huggingface-cache.ts';
import { catalogFlags, cloudFlag, errorsJson, loadCatalog, loadSpecs, reportErrors } from './inputs.ts';
import { table } from './table.ts';
import { keyOf } from '../api/index.ts';

const usage = `usage: kaito-gitops synth [--workspaces DIR] [--out DIR] [--allow-empty] [--presets DIR] [--cloud azure|aws|arc] [--output text|json]

  --workspaces DIR  Workspace specs (and the ConfigMaps they reference) (default: gitops/workspaces)
  --out DIR         where the Kustomize tree goes (default: dist)
  --allow-empty     let a source without any Workspace remove every workspace of the output
  --presets DIR     catalog directory (default: the presets/ shipped with kaito-gitops)
  --cloud NAME      cloud whose SKUs a Workspace without instanceType is sized against (default: azure)
  -o, --output      text (default) or json`;

export const synth: Command = {
  name: 'synth',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseFlags(args, {
      workspaces: { type: 'string', default: 'gitops/workspaces' },
      out: { type: 'string', default: 'dist' },
      'allow-empty': { type: 'boolean', default: false },
      ...catalogFlags,
      ...outputFlag,
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
    const cacheFile = await cacheFileFor([values.workspaces], io);
    const catalog = await withCacheFile(await loadCatalog(values.presets, io), cacheFile, io);
    const files = await loadSpecs([values.workspaces], io);
    stop.check();
    const previous = readTree(out);
    const result = hydrate(files, {
      catalog,
      previous: previous.tree,
      cloud,
      allowEmpty: values['allow-empty'],
      sourceName: values.workspaces,
    });
    stop.check();
    const written = writeTree(out, result.tree, previous.inventory, { name: values.out });
    if (files.length === 0) io.stderr(`warning: ${values.workspaces} holds no *.yaml or *.yml file\n`);
    if (output === 'json') {
      io.stdout(JSON.stringify(summaryJson(result, written, values.out), null, 2) + '\n');
    } else {
      io.stdout(summaryText(result, written, values.out));
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

function summaryText(result: HydrateResult, written: WriteResult, out: string): string {
  const plans = new Map(result.plans.map((p) => [keyOf(p.workspace), p]));
  const rows = result.workspaces.map((w) => {
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
  const lines = [
    table(rows, [
      ['WORKSPACE', (r) => String(r['workspace'])],
      ['STATUS', (r) => String(r['status'])],
      ['INSTANCE', (r) => String(r['sku'])],
      ['NODES', (r) => String(r['nodes'])],
      ['RUNTIME', (r) => String(r['runtime'])],
      ['SPEC', (r) => String(r['file'])],
    ]),
    '',
    `${result.workspaces.length} workspaces: ${counts}; ${written.written.length} files written, ${written.removed.length} removed in ${out}`,
  ];
  return lines.join('\n') + '\n';
}

function summaryJson(result: HydrateResult, written: WriteResult, out: string) {
  return {
    out,
    workspaces: result.workspaces,
    written: written.written,
    removed: written.removed,
    errors: errorsJson(result.errors),
    warnings: result.warnings,
  };
}
