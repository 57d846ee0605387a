/**
 * ConfigMaps that a Workspace references: `inference.config` (`inference_config.yaml`, vLLM arguments under
 * `vllm:`; Kaito `inference_config_validation.go`) and `tuning.config` (`training_config.yaml`; Kaito
 * `tuning_config_validation.go`), looked up among the ConfigMaps of the source repository, since in GitOps
 * the ConfigMap ships beside the Workspace. Messages are Kaito's.
 */
import path from 'node:path';
import type { Problem } from '../errors.ts';
import type { ConfigMapObject, TuningMethod, Workspace } from './types.ts';
import { DEFAULT_NAMESPACE } from './normalize.ts';
import { isObject, problem, show } from './problems.ts';
import { readYamlValue } from './yaml-documents.ts';

export const INFERENCE_CONFIG_KEY = 'inference_config.yaml';
export const TRAINING_CONFIG_KEY = 'training_config.yaml';
export const TRAINING_CONFIG_SECTIONS: readonly string[] = [
  'ModelConfig',
  'QuantizationConfig',
  'LoraConfig',
  'TrainingArguments',
  'DatasetConfig',
  'DataCollator',
];

/** One vLLM engine argument as written (`max-model-len: 4096` → `4096`). */
export type VllmArgValue = string | number | boolean;

export function findConfigMap(
  configMaps: readonly ConfigMapObject[],
  name: string,
  namespace: string,
): ConfigMapObject | undefined {
  return configMaps.find(
    (cm) => cm.metadata.name === name && (cm.metadata.namespace ?? DEFAULT_NAMESPACE) === namespace,
  );
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** The `vllm` section of an inference ConfigMap, checked: scalar values, `max-model-len` an integer. */
export function readVllmConfig(
  configMap: ConfigMapObject,
  at = 'inference.config',
): Parsed<Record<string, VllmArgValue>> {
  const name = configMap.metadata.name;
  const namespace = configMap.metadata.namespace ?? DEFAULT_NAMESPACE;
  const text = configMap.data?.[INFERENCE_CONFIG_KEY];
  if (text === undefined) {
    const message = `ConfigMap '${name}' does not contain '${INFERENCE_CONFIG_KEY}' in namespace '${namespace}'`;
    return { ok: false, problems: [problem(at, message)] };
  }
  const parsed = readYamlValue(text);
  if (!parsed.ok) {
    return { ok: false, problems: [problem(at, `Failed to parse ${INFERENCE_CONFIG_KEY}: ${parsed.error}`)] };
  }
  const root = parsed.value ?? {};
  if (!isObject(root)) {
    const message = `Failed to parse ${INFERENCE_CONFIG_KEY}: the document must be a mapping, got ${show(root)}`;
    return { ok: false, problems: [problem(at, message)] };
  }
  const vllm = root['vllm'] ?? {};
  if (!isObject(vllm)) {
    const message = `'vllm' in ${INFERENCE_CONFIG_KEY} of ConfigMap '${name}' must be a mapping of vLLM arguments, got ${show(vllm)}`;
    return { ok: false, problems: [problem(at, message)] };
  }
  const problems: Problem[] = [];
  const args: Record<string, VllmArgValue> = {};
  for (const [key, value] of Object.entries(vllm)) {
    if (value === null) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      problems.push(
        problem(
          at,
          `vllm argument '${key}' in ConfigMap '${name}' must be a single value, got ${show(value)}`,
        ),
      );
      continue;
    }
    Object.defineProperty(args, key, { value, enumerable: true, writable: true, configurable: true });
  }
  const maxModelLen = args['max-model-len'];
  if (maxModelLen !== undefined && !/^\s*\d+\s*$/.test(String(maxModelLen))) {
    problems.push(
      problem(at, `max-model-len must be an integer: got ${show(maxModelLen)} in ConfigMap '${name}'`),
    );
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: args };
}

export function inferenceConfigProblems(
  workspace: Workspace,
  configMapName: string,
  configMaps: readonly ConfigMapObject[],
): Problem[] {
  const configMap = findConfigMap(configMaps, configMapName, workspace.namespace);
  if (configMap === undefined) return [notFound('inference.config', configMapName, workspace.namespace)];
  const read = readVllmConfig(configMap);
  return read.ok ? [] : read.problems;
}

/**
 * The vLLM arguments of a Workspace's inference ConfigMap (empty when it names none), for the catalog's
 * `max-model-len` check and for rendering. Undefined when the ConfigMap is missing or invalid: the
 * Workspace then has problems from `validateWorkspace`.
 */
export function vllmArgs(
  workspace: Workspace,
  configMaps: readonly ConfigMapObject[],
): Record<string, VllmArgValue> | undefined {
  const name = workspace.inference?.config;
  if (name === undefined || name === '') return {};
  const configMap = findConfigMap(configMaps, name, workspace.namespace);
  if (configMap === undefined) return undefined;
  const read = readVllmConfig(configMap);
  return read.ok ? read.value : undefined;
}

function notFound(at: string, name: string, namespace: string): Problem {
  return problem(
    at,
    `ConfigMap '${name}' specified in 'config' not found in namespace '${namespace}'; add it to the source repository next to the Workspace, or remove ${at}`,
  );
}

export function tuningConfigProblems(
  workspace: Workspace,
  configMapName: string,
  configMaps: readonly ConfigMapObject[],
): Problem[] {
  const configMap = findConfigMap(configMaps, configMapName, workspace.namespace);
  if (configMap === undefined) return [notFound('tuning.config', configMapName, workspace.namespace)];
  return trainingConfigProblems(configMap, workspace.tuning?.method ?? 'lora', workspace.namespace);
}

/**
 * Kaito's checks of a tuning ConfigMap's `training_config.yaml` for the method (problems at
 * `tuning.config`): a Workspace's `tuning.config`, and the catalog's default parameters alike.
 */
export function trainingConfigProblems(
  configMap: ConfigMapObject,
  method: TuningMethod,
  namespace: string,
): Problem[] {
  const at = 'tuning.config';
  const read = readTrainingConfig(configMap, namespace);
  if (!read.ok) return read.problems;
  const config = read.value;
  const name = configMap.metadata.name;
  const problems: Problem[] = [];
  for (const section of Object.keys(config)) {
    if (!TRAINING_CONFIG_SECTIONS.includes(section)) {
      problems.push(
        problem(
          at,
          `Unrecognized section: ${section} (known sections: ${TRAINING_CONFIG_SECTIONS.join(', ')})`,
        ),
      );
    }
  }
  problems.push(...quantizationProblems(at, name, method, config['QuantizationConfig']));
  problems.push(...outputDirProblems(at, name, namespace, config['TrainingArguments']));
  return problems;
}

/** What a Workspace's ConfigMaps tell planning, parsed: its vLLM arguments and its trainer's output. */
export function configFacts(
  workspace: Workspace,
  configMaps: readonly ConfigMapObject[],
): { vllmConfig?: Record<string, VllmArgValue>; trainingOutput?: TrainingOutput } {
  const vllmConfig = vllmArgs(workspace, configMaps);
  const training = trainingOutput(workspace, configMaps);
  return {
    ...(vllmConfig !== undefined ? { vllmConfig } : {}),
    ...(training !== undefined ? { trainingOutput: training } : {}),
  };
}

/** What a tuning ConfigMap says about the trainer's output, for the catalog's results directory. */
export interface TrainingOutput {
  /** The ConfigMap's name, for messages. */
  configMap: string;
  /** `TrainingArguments.output_dir` exactly as written (the trainer writes there); absent when unset. */
  outputDir?: string;
}

/**
 * The output of the Workspace's `tuning.config`; undefined when it names no ConfigMap, or one that is
 * missing or invalid (the Workspace then has problems from `validateWorkspace`).
 */
function trainingOutput(
  workspace: Workspace,
  configMaps: readonly ConfigMapObject[],
): TrainingOutput | undefined {
  const name = workspace.tuning?.config;
  if (name === undefined || name === '') return undefined;
  const configMap = findConfigMap(configMaps, name, workspace.namespace);
  return configMap === undefined ? undefined : trainingOutputOf(configMap, workspace.namespace);
}

/** What a tuning ConfigMap says about the trainer's output; undefined when it is not a valid one. */
export function trainingOutputOf(configMap: ConfigMapObject, namespace: string): TrainingOutput | undefined {
  const name = configMap.metadata.name;
  const read = readTrainingConfig(configMap, namespace);
  if (!read.ok) return undefined;
  const args = read.value['TrainingArguments'];
  if (outputDirProblems('tuning.config', name, namespace, args).length > 0) return undefined;
  const dir = isObject(args) ? args['output_dir'] : undefined;
  return { configMap: name, ...(typeof dir === 'string' ? { outputDir: dir } : {}) };
}

/** The `training_config` map of a tuning ConfigMap's `training_config.yaml`. */
function readTrainingConfig(configMap: ConfigMapObject, namespace: string): Parsed<Record<string, unknown>> {
  const name = configMap.metadata.name;
  const fail = (message: string): Parsed<Record<string, unknown>> => ({
    ok: false,
    problems: [problem('tuning.config', message)],
  });
  const text = configMap.data?.[TRAINING_CONFIG_KEY];
  if (text === undefined) {
    return fail(`ConfigMap '${name}' does not contain '${TRAINING_CONFIG_KEY}' in namespace '${namespace}'`);
  }
  const parsed = readYamlValue(text);
  if (!parsed.ok) {
    return fail(
      `Failed to parse '${TRAINING_CONFIG_KEY}' in ConfigMap '${name}' in namespace '${namespace}': ${parsed.error}`,
    );
  }
  const root = parsed.value;
  const config = isObject(root) ? root['training_config'] : undefined;
  if (!isObject(config)) {
    return fail(`Expected 'training_config' key to contain a map in ConfigMap '${name}'`);
  }
  return { ok: true, value: config };
}

function quantizationProblems(at: string, name: string, method: TuningMethod, section: unknown): Problem[] {
  const settings = isObject(section) ? section : {};
  const problems: Problem[] = [];
  const flags = ['load_in_4bit', 'load_in_8bit'].map((key) => {
    const value = settings[key];
    if (value === undefined || value === null || typeof value === 'boolean') return value === true;
    problems.push(
      problem(
        at,
        `'${key}' in ConfigMap '${name}': value must be either nil or a boolean, got ${show(value)}`,
      ),
    );
    return false;
  });
  const [in4bit, in8bit] = flags;
  if (in4bit === true && in8bit === true) {
    problems.push(
      problem(at, `Cannot set both 'load_in_4bit' and 'load_in_8bit' to true in ConfigMap '${name}'`),
    );
  } else if (method === 'lora' && (in4bit === true || in8bit === true)) {
    problems.push(
      problem(
        at,
        `For method 'lora', 'load_in_4bit' or 'load_in_8bit' in ConfigMap '${name}' must not be true`,
      ),
    );
  } else if (method === 'qlora' && in4bit !== true && in8bit !== true) {
    problems.push(
      problem(
        at,
        `For method 'qlora', either 'load_in_4bit' or 'load_in_8bit' must be true in ConfigMap '${name}'`,
      ),
    );
  }
  return problems;
}

function outputDirProblems(at: string, name: string, namespace: string, section: unknown): Problem[] {
  if (!isObject(section) || !Object.hasOwn(section, 'output_dir')) return [];
  const dir = section['output_dir'];
  if (typeof dir !== 'string') {
    return [problem(at, `output_dir is not a string in ConfigMap '${name}' in namespace '${namespace}'`)];
  }
  // Kaito's webhook rule: joined to /mnt, the directory must lie strictly below it. Where the results
  // volume can then be mounted is the catalog's business (results-dir.ts).
  const base = '/mnt';
  const clean = path.posix.join(base, dir).replace(/\/+$/, '');
  if (clean === base || !clean.startsWith(`${base}/`)) {
    return [problem(at, `Invalid output_dir specified: '${dir}', must be a directory`)];
  }
  return [];
}
