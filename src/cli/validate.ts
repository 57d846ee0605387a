/**
 * `kaito-gitops validate`: every problem of every spec, with its file and field path, without writing
 * anything. Runs the whole pipeline (Kaito's rules, sizing, synthesis), so a spec that validates is a
 * spec that renders.
 */
import { EXIT, type CliIO, type Command } from './command.ts';
import type { ErrorReport } from '../pipeline.ts';
import { CHECK_FLAGS_USAGE, checkSpecs, errorsJson, reportErrors } from './inputs.ts';
import { fitRows, hiddenLine } from './long-list.ts';
import { painter } from './terminal.ts';
import { keyOf } from '../api/index.ts';

const usage = `usage: kaito-gitops validate [--presets DIR] [--cloud azure|aws|arc] [--output text|json] PATH...

${CHECK_FLAGS_USAGE}`;

/** `validate --output json`. */
export interface ValidateJson {
  /** `namespace/name` of every Workspace that validated. */
  valid: string[];
  errors: ErrorReport[];
  warnings: string[];
}

export const validate: Command = {
  name: 'validate',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { output, verbose, result } = await checkSpecs(args, io);
    const valid = result.plans.map((p) => keyOf(p.workspace));
    if (output === 'json') {
      const json: ValidateJson = { valid, errors: errorsJson(result.errors), warnings: result.warnings };
      io.stdout(JSON.stringify(json, null, 2) + '\n');
    } else {
      const paint = painter(io.terminal);
      // Past a screenful, the valid ones are only counted: the problems are what a person reads.
      const fitted = fitRows(valid, () => false, { verbose, io });
      for (const name of fitted.shown) io.stdout(`${paint('green', 'ok')}  ${name}\n`);
      if (fitted.hidden > 0) io.stdout(hiddenLine(fitted.hidden, 'valid workspaces') + '\n');
      reportErrors(result.errors, io);
      const problems = `${result.errors.length} with problems`;
      io.stdout(`${valid.length} valid, ${result.errors.length > 0 ? paint('red', problems) : problems}\n`);
    }
    for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
    return result.errors.length > 0 ? EXIT.invalid : EXIT.ok;
  },
};
