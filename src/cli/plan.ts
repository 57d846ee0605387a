/**
 * `kaito-gitops plan`: how each Workspace would run — SKU and why, nodes, GPUs per node, runtime,
 * parallelism, image, command, disk — before anything is rendered or applied.
 */
import { describePlan } from '../catalog/index.ts';
import { hydrate } from '../pipeline.ts';
import { EXIT, outputFlag, outputFormat, parseFlags, type CliIO, type Command } from './command.ts';
import { catalogFlags, cloudFlag, errorsJson, loadCatalog, loadSpecs, reportErrors } from './inputs.ts';

const usage = `usage: kaito-gitops plan [--presets DIR] [--cloud azure|aws|arc] [--output text|json] PATH...

  PATH            spec files or directories of specs
  --presets DIR   catalog directory (default: the presets/ shipped with kaito-gitops)
  --cloud NAME    cloud whose SKUs a Workspace without instanceType is sized against (default: azure)
  -o, --output    text (default) or json`;

export const plan: Command = {
  name: 'plan',
  summary: 'Show the SKU, nodes, GPUs, runtime, parallelism, image and disk each Workspace gets',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseFlags(args, { ...catalogFlags, ...outputFlag }, true);
    const output = outputFormat(values.output);
    const cloud = cloudFlag(values.cloud);
    const catalog = await loadCatalog(values.presets, io);
    const files = await loadSpecs(positionals, io);
    const result = hydrate(files, { catalog, cloud });
    const described = result.plans.map((p) => describePlan(p));
    if (output === 'json') {
      const plans = described.map((rows) => rows.map(({ field, value }) => ({ field, value })));
      io.stdout(JSON.stringify({ plans, errors: errorsJson(result.errors) }, null, 2) + '\n');
    } else {
      const width = Math.max(0, ...described.flat().map((row) => row.field.length));
      io.stdout(
        described
          .map((rows) => rows.map(({ field, value }) => `${field.padEnd(width)}  ${value}`).join('\n'))
          .join('\n\n') + (described.length > 0 ? '\n' : ''),
      );
      reportErrors(result.errors, io);
    }
    return result.errors.length > 0 ? EXIT.invalid : EXIT.ok;
  },
};
