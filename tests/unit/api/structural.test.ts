import { describe, expect, it } from 'vitest';
import { validateStructure } from '../../../src/api/structural.ts';
import { workspaceDocumentSchema } from '../../../src/api/schema.ts';
import { edit, inferenceV1beta1, load, problemsOf, tuningV1beta1 } from './fixtures.ts';
import type { Doc } from './fixtures.ts';

describe('structural validation: types', () => {
  it.each<[string, (d: Doc) => unknown, string]>([
    [
      'a count in words',
      (d) => (d.resource.count = 'two'),
      'resource.count: must be an integer >= 1, got "two"',
    ],
    [
      'a quoted count',
      (d) => (d.resource.count = '2'),
      'resource.count: must be an integer >= 1, got "2"; remove the quotes',
    ],
    [
      'a fractional count',
      (d) => (d.resource.count = 1.5),
      'resource.count: must be an integer >= 1, got 1.5',
    ],
    [
      'a count past int32',
      (d) => (d.resource.count = 2 ** 31),
      'resource.count: must be an integer >= 1 <= 2147483647, got 2147483648',
    ],
    [
      'a numeric instance type',
      (d) => (d.resource.instanceType = 5),
      'resource.instanceType: must be a string, got 5; put the value in quotes',
    ],
    [
      'a label value that YAML read as a boolean',
      (d) => (d.resource.labelSelector.matchLabels.gpu = true),
      'resource.labelSelector.matchLabels.gpu: must be a string, got true; put the value in quotes',
    ],
    [
      'preferred nodes as a string',
      (d) => (d.resource.preferredNodes = 'node-1'),
      'resource.preferredNodes: must be a list, got "node-1"',
    ],
    [
      'an access mode in the wrong case',
      (d) => (d.inference.preset.accessMode = 'Private'),
      'inference.preset.accessMode: must be one of "public", "private", got "Private"; did you mean "private"?',
    ],
    [
      'an unknown operator',
      (d) => (d.resource.labelSelector.matchExpressions = [{ key: 'a', operator: 'in' }]),
      'resource.labelSelector.matchExpressions[0].operator: must be one of "In", "NotIn", "Exists", "DoesNotExist", got "in"; did you mean "In"?',
    ],
    [
      'a template that is not an object',
      (d) => (d.inference = { template: 'pod.yaml' }),
      'inference.template: must be an object, got "pod.yaml"',
    ],
    [
      'adapters as a map',
      (d) => (d.inference.adapters = { a: {} }),
      'inference.adapters: must be a list, got an object',
    ],
    [
      'an annotation that is a number',
      (d) => (d.metadata.annotations = { 'kaito.sh/enablelb': 1 }),
      'metadata.annotations["kaito.sh/enablelb"]: must be a string, got 1; put the value in quotes',
    ],
    [
      'a missing label selector',
      (d) => delete d.resource.labelSelector,
      'resource.labelSelector: required field is missing',
    ],
    ['a missing resource', (d) => delete d.resource, 'resource: required field is missing'],
    [
      'a missing preset name',
      (d) => (d.inference.preset = { accessMode: 'public' }),
      'inference.preset.name: required field is missing',
    ],
    [
      'an adapter without source',
      (d) => (d.inference.adapters = [{ strength: '0.5' }]),
      'inference.adapters[0].source: required field is missing',
    ],
  ])('%s', (_, change, expected) => {
    expect(problemsOf(load(edit(inferenceV1beta1(), change)))).toContain(expected);
  });

  it('names what a tuning spec lacks', () => {
    const doc = edit(tuningV1beta1(), (d) => (d.tuning = { method: 'lora' }));
    expect(problemsOf(load(doc))).toEqual([
      'tuning.preset: required field is missing',
      'tuning.input: required field is missing',
      'tuning.output: required field is missing',
    ]);
  });
});

describe('structural validation: unknown fields', () => {
  it.each<[string, (d: Doc) => unknown, string]>([
    [
      'a misspelt field',
      (d) => (d.resource.instancetype = 'x'),
      'resource.instancetype: unknown field; did you mean "instanceType"?',
    ],
    [
      'a typo in a preset',
      (d) => (d.inference.preset.nmae = 'x'),
      'inference.preset.nmae: unknown field; did you mean "name"?',
    ],
    [
      'a field far from any',
      (d) => (d.inference.replicas = 2),
      'inference.replicas: unknown field; remove it (known fields here: "preset", "template", "config", "adapters")',
    ],
    [
      'a spec block',
      (d) => (d.spec = {}),
      "spec: unknown field; Kaito's Workspace has no spec: move resource, inference and tuning to the top level of the document",
    ],
    [
      'a status block',
      (d) => (d.status = {}),
      'status: unknown field; status is written by the cluster; remove it from the source',
    ],
    [
      'a resourceVersion',
      (d) => (d.metadata.resourceVersion = '12'),
      'metadata.resourceVersion: unknown field; it is set by the cluster; remove it from the source',
    ],
    [
      'generateName',
      (d) => (d.metadata.generateName = 'ws-'),
      'metadata.generateName: unknown field; a Workspace in git needs a fixed metadata.name; remove generateName',
    ],
  ])('%s', (_, change, expected) => {
    expect(problemsOf(load(edit(inferenceV1beta1(), change)))).toContain(expected);
  });

  it('keeps unknown fields inside Kubernetes-owned objects', () => {
    const template = {
      metadata: { labels: { a: 'b' } },
      spec: { containers: [{ name: 'x', image: 'nginx', anything: 1 }] },
    };
    const doc = edit(inferenceV1beta1(), (d) => (d.inference = { template }));
    const volume = { persistentVolumeClaim: { claimName: 'c', readOnly: true }, futureField: {} };
    const tuning = edit(tuningV1beta1(), (d) => (d.tuning.input = { volumeSource: volume }));
    const result = load(
      doc,
      edit(tuning, (d) => (d.metadata.name = 'tuning')),
    );
    expect(result.failures).toEqual([]);
    expect(result.workspaces[0]?.inference?.template).toEqual(template);
    expect(result.workspaces[1]?.tuning?.input.volumeSource).toEqual(volume);
  });
});

describe('structural validation: pruning', () => {
  it('treats null as absent, as the API server does', () => {
    const doc = edit(inferenceV1beta1(), (d) => {
      d.resource.instanceType = null;
      d.tuning = null;
    });
    const result = load(doc);
    expect(result.failures).toEqual([]);
    expect(result.workspaces[0]?.resource.instanceType).toBeUndefined();
    expect(result.workspaces[0]?.document).not.toHaveProperty('tuning');
  });

  it('drops invalid fields and keeps a "__proto__" key as plain data', () => {
    const value = JSON.parse(
      '{"apiVersion":"kaito.sh/v1beta1","kind":"Workspace","metadata":{"name":"a","labels":{"__proto__":"x"}},"resource":{"count":"x","labelSelector":{}}}',
    );
    const result = validateStructure(value, workspaceDocumentSchema);
    const pruned = result.value as Doc;
    expect(pruned.resource).toEqual({ labelSelector: {} });
    expect(Object.keys(pruned.metadata.labels)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(pruned.metadata.labels)).toBe(Object.prototype);
    expect(result.problems).toEqual([
      { path: 'resource.count', message: 'must be an integer >= 1, got "x"' },
    ]);
  });
});
