/**
 * Where a tuning Job's results land. Kaito's trainer (`fine_tuning.py`) writes the adapter and
 * `fine_tuning_completed.txt` to `TrainingArguments.output_dir` of the `tuning.config` ConfigMap exactly as
 * written, relative paths from its working directory ({@link TUNING_DIR}); Kaito v0.12 mounts the results
 * volume at that path when it starts with `/mnt`, and at `/mnt/<output_dir>` otherwise
 * (`preset_tuning.go` `PrepareOutputDir`), so for a relative path or one outside `/mnt` its trainer and its
 * pusher look in different places and the adapter is lost. Here the results volume is mounted exactly where
 * the trainer writes, and an `output_dir` no volume can hold there is refused before anything trains. Pure.
 */
import path from 'node:path';
import type { TrainingOutput } from '../api/index.ts';
import type { Problem } from '../errors.ts';
import { TUNING_DIR } from './command.ts';
import { CONFIG_DIR, DATA_DIR, RESULTS_DIR } from './pod-contract.ts';

const BASE = '/mnt';

/** Directories the tuning Job already mounts something at: the results cannot go there or inside. */
const TAKEN: readonly [string, string][] = [
  [DATA_DIR, 'the tuning data'],
  [CONFIG_DIR, 'the tuning config'],
];

/**
 * The results directory of a tuning Workspace: the `output_dir` of its training config (`tuning.config`, or
 * Kaito's default parameters, training-config.ts) cleaned. A problem at `tuning.config` otherwise.
 */
export function resultsDir(output: TrainingOutput): { dir: string } | { problem: Problem } {
  const refuse = (message: string) => ({ problem: { path: 'tuning.config', message } });
  const name = output.configMap;
  const written = output.outputDir;
  if (written === undefined) {
    return refuse(
      `ConfigMap '${name}' sets no TrainingArguments.output_dir: the trainer would write the adapter under ${TUNING_DIR}, where no volume keeps it; set output_dir: ${RESULTS_DIR}`,
    );
  }
  const dir = path.posix.resolve(TUNING_DIR, written);
  if (!dir.startsWith(`${BASE}/`)) {
    return refuse(
      `output_dir '${written}' in ConfigMap '${name}' must be an absolute directory under ${BASE}, such as ${RESULTS_DIR}: the trainer would write the adapter to ${dir}, where no volume keeps it (Kaito mounts the results volume at ${path.posix.join(BASE, written)})`,
    );
  }
  for (const [taken, what] of TAKEN) {
    if (dir === taken || dir.startsWith(`${taken}/`)) {
      return refuse(
        `output_dir '${written}' in ConfigMap '${name}' is inside ${taken}, where ${what} is mounted; use a directory of its own under ${BASE}, such as ${RESULTS_DIR}`,
      );
    }
  }
  return { dir };
}
