/**
 * `inference`: preset or template, adapters (Kaito's `AdapterSpec.validateCreateorUpdate`, which kaito-gitops
 * applies on create too) and the inference ConfigMap.
 */
import type { Problem } from '../errors.ts';
import type { AdapterSpec, Workspace } from './types.ts';
import type { ValidationContext } from './validate.ts';
import { dns1123SubdomainErrors } from './names.ts';
import { inferenceConfigProblems } from './config-maps.ts';
import { imageProblems, presetProblems, secretListProblems } from './validate-shared.ts';
import { item, problem, show } from './problems.ts';

export const MAX_ADAPTERS = 10;

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function validateInference(workspace: Workspace, context: ValidationContext): Problem[] {
  const inference = workspace.inference;
  if (inference === undefined) return [];
  const problems: Problem[] = [];
  if (inference.preset === undefined && inference.template === undefined) {
    problems.push(problem('inference', 'Preset or Template must be specified'));
  }
  if (inference.preset !== undefined && inference.template !== undefined) {
    problems.push(problem('inference', 'Preset and Template cannot be set at the same time'));
  }
  if (inference.preset !== undefined) {
    problems.push(...presetProblems('inference.preset', inference.preset, workspace.apiVersion));
  }
  const adapters = inference.adapters ?? [];
  if (adapters.length > MAX_ADAPTERS) {
    problems.push(
      problem(
        'inference.adapters',
        `Number of Adapters exceeds the maximum limit, maximum of ${MAX_ADAPTERS} allowed`,
      ),
    );
  }
  const seen = new Set<string>();
  adapters.forEach((adapter, index) => {
    const path = item('inference.adapters', index);
    problems.push(...adapterProblems(path, adapter));
    const name = adapter.source.name;
    if (name !== undefined && name !== '') {
      if (seen.has(name)) {
        problems.push(problem(`${path}.source.name`, `Duplicate adapter source name found: ${name}`));
      }
      seen.add(name);
    }
  });
  if (inference.config !== undefined && inference.config !== '') {
    problems.push(...inferenceConfigProblems(workspace, inference.config, context.configMaps));
  }
  return problems;
}

function adapterProblems(path: string, adapter: AdapterSpec): Problem[] {
  const problems: Problem[] = [];
  const source = adapter.source;
  const name = source.name ?? '';
  if (name === '') {
    problems.push(problem(`${path}.source.name`, 'Name of Adapter field must be specified'));
  } else {
    const errors = dns1123SubdomainErrors(name);
    if (errors.length > 0)
      problems.push(problem(`${path}.source.name`, `${show(name)}: ${errors.join(', ')}`));
  }
  const image = source.image ?? '';
  if ((source.urls ?? []).length > 0) {
    problems.push(problem(`${path}.source.urls`, 'URLs are not supported as adapter source'));
  }
  if (image === '' && source.volumeSource === undefined) {
    problems.push(problem(`${path}.source`, 'Either Image or Volume must be specified for adapter source'));
  }
  if (image !== '' && source.volumeSource !== undefined) {
    problems.push(
      problem(`${path}.source`, 'Either Image or Volume must be specified for adapter source, not both'),
    );
  }
  if (image !== '') {
    problems.push(...imageProblems(`${path}.source.image`, image, 'Unable to parse input image reference'));
  }
  problems.push(...secretListProblems(`${path}.source.imagePullSecrets`, source.imagePullSecrets));
  const strength = adapter.strength;
  if (strength !== undefined) {
    const value = DECIMAL.test(strength.trim()) ? Number(strength) : NaN;
    if (Number.isNaN(value)) {
      problems.push(
        problem(
          `${path}.strength`,
          `Invalid strength value for Adapter '${name}': ${show(strength)} is not a decimal number; use a value between 0 and 1 such as "0.5"`,
        ),
      );
    } else if (value < 0 || value > 1) {
      problems.push(problem(`${path}.strength`, `${show(strength)} must be between 0 and 1`));
    }
  }
  return problems;
}
