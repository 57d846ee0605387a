/**
 * `kaito-gitops validate`: every problem of every spec, with its file and field path, without writing
 * anything. Runs the whole pipeline (Kaito's rules, sizing, synthesis), so a spec that validates is a
 * spec that renders.
 */
import { EXIT, type CliIO, type Command } from './command.ts';
import { CHECK_FLAGS_USAGE, checkSpecs, errorsJson, reportErrors } from './inputs.ts';
import { keyOf } from '../api/index.ts';

const usage = `usage: kaito-gitops validate [--presets DIR] [--cloud azure|aws|arc] [--output text|json] PATH...

${CHECK_FLAGS_USAGE}`;

export const validate: Command = {
  name: 'validate',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { output, result } = await checkSpecs(args, io);
    const valid = result.plans.map((p) => keyOf(p.workspace));
    if (output === 'json') {
      io.stdout(
        JSON.stringify({ valid, errors: errorsJson(result.errors), warnings: result.warnings }, null, 2) +
          '\n',
      );
    } else {
      for (const name of valid) io.stdout(`ok  ${name}\n`);
      reportErrors(result.errors, io);
      io.stdout(`${valid.length} valid, ${result.errors.length} with problems\n`);
    }
    for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
    return result.errors.length > 0 ? EXIT.invalid : EXIT.ok;
  },
};
