/**
 * The parameters a tuning Workspace trains with, and so where its results land. Kaito's trainer always
 * reads `/mnt/config/training_config.yaml` (v0.3.2 and v0.12 `fine_tuning.py`): the Workspace's
 * `tuning.config`, or, when it names none, Kaito's default for its method, which Kaito's controller copies
 * from its chart (`lora-params-template`, `qlora-params-template`) into the Workspace's namespace under that
 * same name (v0.12 `preset_tuning.go` SetTrainingResultVolume).
 *
 * Here the default is rendered as a ConfigMap of the Workspace's own, `<workspace>-<method>-params`, in its
 * directory. Kaito's shared name would be rendered by every tuning Workspace of a namespace with that method:
 * Kustomize refuses an object listed twice, Flux and Argo CD would fight over it, and deleting the first of
 * those Workspaces would prune the parameters the others still mount. Pure.
 */
import type { TrainingOutput, TuningMethod } from '../api/index.ts';
import type { Problem } from '../errors.ts';
import { TRAINING_CONFIG_KEY } from '../api/index.ts';
import { RESULTS_DIR } from './pod-contract.ts';
import { resultsDir } from './results-dir.ts';
import type { TrainingConfig, TuningDefault, TuningWorkspace } from './types.ts';

/** The ConfigMap kaito-gitops renders Kaito's default parameters into: `<workspace>-<method>-params`. */
export function defaultTrainingConfigName(workspace: string, method: TuningMethod): string {
  return `${workspace}-${method}-params`;
}

/**
 * The Workspace's training config and results directory. `output` is what its `tuning.config` says
 * (api `configFacts`), undefined when it names none or one that was not read.
 */
export function trainingConfigFor(
  workspace: TuningWorkspace,
  defaults: readonly TuningDefault[],
  output: TrainingOutput | undefined,
): { config: TrainingConfig; resultsDir: string } | { problem: Problem } {
  const named = workspace.tuning.config;
  if (named !== undefined && named !== '') {
    // A named ConfigMap that was not read is missing or invalid, which validation reports; planning goes
    // on (to report the spec's other problems) with the default directory, and nothing is rendered.
    if (output === undefined) return { config: { configMap: named }, resultsDir: RESULTS_DIR };
    const results = resultsDir(output);
    return 'problem' in results ? results : { config: { configMap: named }, resultsDir: results.dir };
  }
  const { method } = workspace.tuning;
  const found = defaults.find((d) => d.apiVersion === workspace.apiVersion && d.method === method);
  if (found === undefined) {
    return {
      problem: {
        path: 'tuning.config',
        message: `the presets hold no default parameters for method '${method}' of ${workspace.apiVersion}: name a ConfigMap holding ${TRAINING_CONFIG_KEY} in tuning.config`,
      },
    };
  }
  const configMap = defaultTrainingConfigName(workspace.name, method);
  const results = resultsDir({ configMap, outputDir: found.outputDir });
  return 'problem' in results ? results : { config: { configMap, defaults: found }, resultsDir: results.dir };
}
