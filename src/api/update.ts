/**
 * Kaito's update rules (v0.12 `validateUpdate`, reference §1.4): what a pushed change may not do to a
 * Workspace that already exists. Sync refuses such a change before it reaches the cluster, where Kaito's
 * webhook (or, with kaito-gitops alone, a half-rolled-out workload) would trip over it.
 */
import type { Problem } from '../errors.ts';
import type { DataSource, PresetSpec, Workspace } from './types.ts';
import { labelSelectorAsMap } from './validate.ts';
import { isObject, problem, show } from './problems.ts';

export function validateUpdate(previous: Workspace, next: Workspace): Problem[] {
  const problems: Problem[] = [];
  if ((previous.inference === undefined) !== (next.inference === undefined)) {
    problems.push(problem('inference', 'Inference field cannot be toggled once set'));
  }
  if ((previous.tuning === undefined) !== (next.tuning === undefined)) {
    problems.push(problem('tuning', 'Tuning field cannot be toggled once set'));
  }
  problems.push(...resourceUpdateProblems(previous, next));

  const before = previous.inference;
  const after = next.inference;
  if (before !== undefined && after !== undefined) {
    if (!sameValue(presetValue(before.preset), presetValue(after.preset))) {
      problems.push(problem('inference.preset', 'field is immutable'));
    }
    if ((before.template === undefined) !== (after.template === undefined)) {
      problems.push(problem('inference.template', 'field cannot be unset/set if it was set/unset'));
    }
  }
  const oldTuning = previous.tuning;
  const newTuning = next.tuning;
  if (oldTuning !== undefined && newTuning !== undefined) {
    if (!sameValue(presetValue(oldTuning.preset), presetValue(newTuning.preset))) {
      problems.push(problem('tuning.preset', 'Preset cannot be changed'));
    }
    if (oldTuning.method.toLowerCase() !== newTuning.method.toLowerCase()) {
      problems.push(problem('tuning.method', 'Method cannot be changed'));
    }
    if (nameOf(oldTuning.input) !== nameOf(newTuning.input)) {
      problems.push(problem('tuning.input.name', 'During tuning Name field cannot be changed once set'));
    }
  }
  return problems;
}

function resourceUpdateProblems(previous: Workspace, next: Workspace): Problem[] {
  const problems: Problem[] = [];
  if (previous.resource.count !== next.resource.count) {
    problems.push(
      problem('resource.count', `field is immutable (${previous.resource.count} → ${next.resource.count})`),
    );
  }
  if (!sameValue(previous.resource.partition, next.resource.partition)) {
    problems.push(problem('resource.partition', 'field is immutable'));
  }
  const oldType = previous.resource.instanceType ?? '';
  const newType = next.resource.instanceType ?? '';
  if (oldType !== '' && oldType !== newType) {
    problems.push(
      problem(
        'resource.instanceType',
        `instanceType cannot be changed once set (${show(oldType)} → ${show(newType)}); create a Workspace with a new name to move to another instance type`,
      ),
    );
  }
  const oldLabels = labelSelectorAsMap(previous.resource.labelSelector);
  const newLabels = labelSelectorAsMap(next.resource.labelSelector);
  if (!oldLabels.ok || !newLabels.ok) {
    problems.push(problem('resource.labelSelector', "Only allow matchLabels or 'IN' matchExpression"));
  } else if (!sameValue(oldLabels.labels, newLabels.labels)) {
    problems.push(problem('resource.labelSelector', 'field is immutable'));
  }
  return problems;
}

function presetValue(preset: PresetSpec | undefined): unknown {
  if (preset === undefined) return undefined;
  return { ...preset, accessMode: preset.accessMode ?? 'public' };
}

function nameOf(source: DataSource): string {
  return source.name ?? '';
}

/** Deep equality of JSON data where an absent field, null, `[]` and `{}` all mean "not set", as after the API server's round trip. */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.length === 0 ? undefined : items;
  }
  if (isObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => [key, canonical(value[key])] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return value === null ? undefined : value;
}
