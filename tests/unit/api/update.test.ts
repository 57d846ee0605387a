import { describe, expect, it } from 'vitest';
import { validateUpdate } from '../../../src/api/index.ts';
import type { Workspace } from '../../../src/api/index.ts';
import { edit, inferenceV1beta1, load, tuningV1beta1 } from './fixtures.ts';
import type { Doc } from './fixtures.ts';

const workspace = (doc: Doc): Workspace => {
  const result = load(doc);
  expect(result.failures).toEqual([]);
  return result.workspaces[0]!;
};
const inference = inferenceV1beta1();
const tuning = tuningV1beta1();

describe('validateUpdate (Kaito immutability)', () => {
  it.each<[string, Doc, Doc]>([
    ['no change', inference, inference],
    [
      'adapters added',
      inference,
      edit(inference, (d) => (d.inference.adapters = [{ source: { name: 'a', image: 'r.io/a:1' } }])),
    ],
    [
      'new labels on the Workspace itself',
      inference,
      edit(inference, (d) => (d.metadata.labels = { team: 'ml' })),
    ],
    [
      'an explicit count of 1 where it was defaulted',
      inference,
      edit(inference, (d) => (d.resource.count = 1)),
    ],
    [
      'an explicit public access mode',
      inference,
      edit(inference, (d) => (d.inference.preset.accessMode = 'public')),
    ],
    [
      'empty presetOptions',
      inference,
      edit(inference, (d) => (d.inference.preset.presetOptions = { imagePullSecrets: [] })),
    ],
    [
      "matchLabels rewritten as an 'In' expression",
      inference,
      edit(
        inference,
        (d) =>
          (d.resource.labelSelector = {
            matchExpressions: [{ key: 'apps', operator: 'In', values: ['phi-4-mini'] }],
          }),
      ),
    ],
    [
      'an instance type set where it was empty',
      edit(inference, (d) => delete d.resource.instanceType),
      inference,
    ],
    [
      'template contents',
      edit(inference, (d) => (d.inference = { template: { spec: { a: 1 } } })),
      edit(inference, (d) => (d.inference = { template: { spec: { a: 2 } } })),
    ],
    ['a tuning output image', tuning, edit(tuning, (d) => (d.tuning.output.image = 'r.io/other:2'))],
    ['the tuning method case', tuning, edit(tuning, (d) => (d.tuning.method = 'QLoRA'))],
    [
      'the runtime',
      inference,
      edit(inference, (d) => (d.metadata.annotations = { 'kaito.sh/runtime': 'transformers' })),
    ],
  ])('allows %s', (_, before, after) => {
    expect(validateUpdate(workspace(before), workspace(after))).toEqual([]);
  });

  it.each<[string, Doc, Doc, string]>([
    [
      'a changed instance type',
      inference,
      edit(inference, (d) => (d.resource.instanceType = 'Standard_NC96ads_A100_v4')),
      'resource.instanceType: instanceType cannot be changed once set ("Standard_NC24ads_A100_v4" → "Standard_NC96ads_A100_v4"); create a Workspace with a new name to move to another instance type',
    ],
    [
      'a removed instance type',
      inference,
      edit(inference, (d) => delete d.resource.instanceType),
      'resource.instanceType: instanceType cannot be changed once set',
    ],
    [
      'a changed count',
      inference,
      edit(inference, (d) => (d.resource.count = 2)),
      'resource.count: field is immutable (1 → 2)',
    ],
    [
      'changed node labels',
      inference,
      edit(inference, (d) => (d.resource.labelSelector.matchLabels.apps = 'x')),
      'resource.labelSelector: field is immutable',
    ],
    [
      'a changed preset',
      inference,
      edit(inference, (d) => (d.inference.preset.name = 'phi-4')),
      'inference.preset: field is immutable',
    ],
    [
      'a preset image',
      inference,
      edit(inference, (d) => (d.inference.preset.presetOptions = { image: 'r.io/phi:2' })),
      'inference.preset: field is immutable',
    ],
    [
      'a preset replaced by a template',
      inference,
      edit(inference, (d) => (d.inference = { template: { spec: {} } })),
      'inference.template: field cannot be unset/set if it was set/unset',
    ],
    [
      'inference switched to tuning',
      inference,
      tuning,
      'inference: Inference field cannot be toggled once set',
    ],
    ['tuning switched to inference', tuning, inference, 'tuning: Tuning field cannot be toggled once set'],
    [
      'a changed tuning preset',
      tuning,
      edit(tuning, (d) => (d.tuning.preset.name = 'phi-3-mini-4k-instruct')),
      'tuning.preset: Preset cannot be changed',
    ],
    [
      'a changed tuning method',
      tuning,
      edit(tuning, (d) => (d.tuning.method = 'lora')),
      'tuning.method: Method cannot be changed',
    ],
    [
      'a renamed tuning input',
      tuning,
      edit(tuning, (d) => (d.tuning.input.name = 'dolly')),
      'tuning.input.name: During tuning Name field cannot be changed once set',
    ],
  ])('refuses %s', (_, before, after, expected) => {
    const problems = validateUpdate(workspace(before), workspace(after)).map(
      (p) => `${p.path}: ${p.message}`,
    );
    expect(problems).toContainEqual(expect.stringContaining(expected));
  });

  it("refuses a selector that is not matchLabels or 'In' (as an update check on its own)", () => {
    const before = workspace(inference);
    const after: Workspace = {
      ...before,
      resource: {
        ...before.resource,
        labelSelector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] },
      },
    };
    expect(validateUpdate(before, after)).toEqual([
      { path: 'resource.labelSelector', message: "Only allow matchLabels or 'IN' matchExpression" },
    ]);
  });
});
