import { describe, expect, it } from 'vitest';
import { edit, inferenceV1alpha1, inferenceV1beta1, load, tuningV1beta1 } from './fixtures.ts';
import type { Doc } from './fixtures.ts';

const only = (doc: Doc) => {
  const result = load(doc);
  expect(result.failures).toEqual([]);
  return result.workspaces[0]!;
};

describe('normalization', () => {
  it('fills Kaito’s defaults for v1beta1 and keeps what the user wrote', () => {
    const doc = inferenceV1beta1();
    const workspace = only(doc);
    expect(workspace).toMatchObject({
      apiVersion: 'kaito.sh/v1beta1',
      name: 'workspace-phi-4-mini',
      namespace: 'default',
      labels: {},
      annotations: {},
      runtime: 'vllm',
      resource: { count: 1, instanceType: 'Standard_NC24ads_A100_v4' },
      inference: { preset: { name: 'phi-4-mini-instruct', accessMode: 'public' } },
      source: { file: 'workspaces/test.yaml', index: 0 },
    });
    expect(workspace.document).toEqual(doc);
    expect(workspace.tuning).toBeUndefined();
  });

  it('defaults v1alpha1 to the transformers runtime and keeps its namespace', () => {
    const workspace = only(inferenceV1alpha1());
    expect(workspace).toMatchObject({
      apiVersion: 'kaito.sh/v1alpha1',
      namespace: 'models',
      runtime: 'transformers',
    });
    expect(workspace.inference?.adapters?.[0]?.strength).toBe('0.2');
  });

  it.each([
    ['kaito.sh/v1alpha1', 'vllm', 'vllm'],
    ['kaito.sh/v1beta1', 'transformers', 'transformers'],
    ['kaito.sh/v1alpha1', undefined, 'transformers'],
    ['kaito.sh/v1beta1', undefined, 'vllm'],
  ])('%s with kaito.sh/runtime %s runs %s', (apiVersion, annotation, runtime) => {
    const doc = edit(inferenceV1beta1(), (d) => {
      d.apiVersion = apiVersion;
      if (annotation !== undefined) d.metadata.annotations = { 'kaito.sh/runtime': annotation };
    });
    expect(only(doc).runtime).toBe(runtime);
  });

  it('keeps an explicit count and access mode', () => {
    const doc = edit(inferenceV1alpha1(), (d) => {
      d.resource.count = 3;
      d.inference.preset = {
        name: 'llama-2-7b',
        accessMode: 'private',
        presetOptions: { image: 'r.io/llama:1' },
      };
    });
    const workspace = only(doc);
    expect(workspace.resource.count).toBe(3);
    expect(workspace.inference?.preset?.accessMode).toBe('private');
  });

  it('defaults the tuning preset access mode and lower-cases the method', () => {
    const workspace = only(edit(tuningV1beta1(), (d) => (d.tuning.method = 'QLORA')));
    expect(workspace.tuning).toMatchObject({ method: 'qlora', preset: { accessMode: 'public' } });
    expect(workspace.document.tuning?.method).toBe('QLORA');
  });
});
