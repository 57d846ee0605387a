/**
 * `kaito-gitops plan`: how each Workspace would run — SKU and why, nodes, GPUs per node, runtime,
 * parallelism, image, command, disk — before anything is rendered or applied.
 */
import { describePlan } from '../catalog/index.ts';
import { EXIT, type CliIO, type Command } from './command.ts';
import { CHECK_FLAGS_USAGE, checkSpecs, errorsJson, reportErrors } from './inputs.ts';

const usage = `usage: kaito-gitops plan [--presets DIR] [--cloud azure|aws|arc] [--output text|json] PATH...

${CHECK_FLAGS_USAGE}`;

export const plan: Command = {
  name: 'plan',
  summary: 'Show the SKU, nodes, GPUs, runtime, parallelism, image and disk each Workspace gets',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { output, result } = await checkSpecs(args, io);
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
