/**
 * `kaito-gitops plan`: how each Workspace would run — SKU and why, nodes, GPUs per node, runtime,
 * parallelism, image, command, disk — before anything is rendered or applied.
 */
import { describePlan } from '../catalog/index.ts';
import { EXIT, type CliIO, type Command } from './command.ts';
import type { ErrorReport } from '../pipeline.ts';
import { CHECK_FLAGS_USAGE, checkSpecs, errorsJson, reportErrors } from './inputs.ts';
import { planJson, type PlanJson } from './plan-json.ts';

const usage = `usage: kaito-gitops plan [--presets DIR] [--cloud azure|aws|arc] [--output text|json] PATH...

${CHECK_FLAGS_USAGE}

A Hugging Face model ID outside the model catalog is sized from the Hub (config.json and the safetensors
size; HF_TOKEN for gated models, HF_ENDPOINT for another Hub) and kept in
PATH/.kaito-gitops/huggingface-models.yaml: commit that file next to the specs, so that validate, synth,
sync and the agent plan the same way without network.`;

/** `plan --output json`. */
export interface PlanOutputJson {
  plans: PlanJson[];
  errors: ErrorReport[];
  /** Models sized from the Hub during this run, and those that could not be. */
  huggingFace: { added: string[]; failures: string[] };
}

export const plan: Command = {
  name: 'plan',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { output, result, hub } = await checkSpecs(args, io, { sizeFromHub: true });
    const failures = hub?.failures ?? [];
    if (output === 'json') {
      const json: PlanOutputJson = {
        plans: result.plans.map(planJson),
        errors: errorsJson(result.errors),
        huggingFace: { added: hub?.added ?? [], failures },
      };
      io.stdout(JSON.stringify(json, null, 2) + '\n');
    } else {
      const described = result.plans.map((p) => describePlan(p));
      const width = Math.max(0, ...described.flat().map((row) => row.field.length));
      io.stdout(
        described
          .map((rows) => rows.map(({ field, value }) => `${field.padEnd(width)}  ${value}`).join('\n'))
          .join('\n\n') + (described.length > 0 ? '\n' : ''),
      );
      for (const id of hub?.added ?? []) io.stderr(`sized ${id} from the Hugging Face Hub\n`);
      for (const failure of failures) io.stderr(`kaito-gitops plan: ${failure}\n`);
      reportErrors(result.errors, io);
    }
    if (hub?.unreachable) return EXIT.remote;
    return result.errors.length > 0 ? EXIT.invalid : EXIT.ok;
  },
};
