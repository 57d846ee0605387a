/**
 * `tuningDefaults:` (`presets/tuning-defaults.yaml`): Kaito's default `training_config.yaml` per API version
 * and tuning method. Each entry is checked as a Workspace's `tuning.config` is (the api's rules: sections,
 * quantization for the method, `output_dir`), and its `output_dir` with the results-directory rules, so
 * defaults whose adapter would land where no volume keeps it never load.
 */
import {
  API_VERSIONS,
  TRAINING_CONFIG_KEY,
  TUNING_METHODS,
  trainingConfigProblems,
  trainingOutputOf,
  type ConfigMapObject,
} from '../api/index.ts';
import type { FieldReader, Mapping } from './fields.ts';
import { resultsDir } from './results-dir.ts';
import type { TuningDefault } from './types.ts';

const KEYS = ['apiVersion', 'method', 'kaitoConfigMap', 'trainingConfig'] as const;

/** One entry at `at` (e.g. `tuningDefaults[1]`); problems go to `fields`, named by field path. */
export function readTuningDefault(fields: FieldReader, raw: Mapping, at: string): TuningDefault {
  fields.unknownKeys(raw, at, KEYS);
  for (const key of ['apiVersion', 'method'] as const) {
    if (raw[key] === undefined) fields.problem(`${at}.${key}`, 'is required');
  }
  const apiVersion = fields.oneOf(raw, 'apiVersion', at, API_VERSIONS, 'kaito.sh/v1beta1');
  const method = fields.oneOf(raw, 'method', at, TUNING_METHODS, 'lora');
  const kaitoConfigMap = fields.string(raw, 'kaitoConfigMap', at);
  const trainingConfig = fields.string(raw, 'trainingConfig', at);
  const entry = { apiVersion, method, kaitoConfigMap, trainingConfig, outputDir: '' };
  if (kaitoConfigMap === '' || trainingConfig === '') return entry;

  const configMap: ConfigMapObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: kaitoConfigMap },
    data: { [TRAINING_CONFIG_KEY]: trainingConfig },
  };
  const problems = trainingConfigProblems(configMap, method, 'default');
  for (const found of problems) fields.problem(`${at}.trainingConfig`, found.message);
  const output = problems.length === 0 ? trainingOutputOf(configMap, 'default') : undefined;
  if (output === undefined) return entry;
  const results = resultsDir(output);
  if ('problem' in results) {
    fields.problem(`${at}.trainingConfig`, results.problem.message);
    return entry;
  }
  return { ...entry, outputDir: output.outputDir ?? '' };
}
