/** A Workspace as Kaito's cluster stores it → the spec a person would have written. */
import { describe, expect, it } from 'vitest';
import { cleanWorkspace, importFiles, workspaceReferences } from '../../../src/api/import.ts';

const stored = {
  apiVersion: 'kaito.sh/v1beta1',
  kind: 'Workspace',
  metadata: {
    name: 'phi-3',
    namespace: 'team-a',
    uid: '0b1c',
    resourceVersion: '4711',
    generation: 3,
    creationTimestamp: '2026-11-01T10:00:00Z',
    finalizers: ['workspace.finalizer.kaito.sh'],
    labels: { team: 'a', 'kustomize.toolkit.fluxcd.io/name': 'apps' },
    annotations: {
      'kaito.sh/runtime': 'vllm',
      'workspace.kaito.io/hash': '7f3a',
      'workspace.kaito.io/revision': '2',
      'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"kaito.sh/v1beta1"}',
    },
    managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'kaito.sh/v1beta1' }],
  },
  resource: {
    count: 1,
    instanceType: 'Standard_NC24ads_A100_v4',
    labelSelector: { matchLabels: { apps: 'phi-3' } },
  },
  inference: {
    preset: {
      name: 'phi-3-mini-4k-instruct',
      accessMode: 'public',
      presetOptions: { modelAccessSecret: 'hf' },
    },
    config: 'phi-3-params',
    adapters: [{ source: { name: 'a1', image: 'r.io/a1:1', imagePullSecrets: ['pull'] }, strength: '1.0' }],
  },
  status: { conditions: [], state: 'Ready', workerNodes: ['n1'] },
};

describe('cleanWorkspace', () => {
  it('drops status, server metadata, finalizers, tool annotations and labels, and server defaults', () => {
    expect(cleanWorkspace(stored)).toEqual({
      apiVersion: 'kaito.sh/v1beta1',
      kind: 'Workspace',
      metadata: {
        name: 'phi-3',
        namespace: 'team-a',
        labels: { team: 'a' },
        annotations: { 'kaito.sh/runtime': 'vllm' },
      },
      resource: {
        instanceType: 'Standard_NC24ads_A100_v4',
        labelSelector: { matchLabels: { apps: 'phi-3' } },
      },
      inference: {
        adapters: [
          { source: { image: 'r.io/a1:1', imagePullSecrets: ['pull'], name: 'a1' }, strength: '1.0' },
        ],
        config: 'phi-3-params',
        preset: { name: 'phi-3-mini-4k-instruct', presetOptions: { modelAccessSecret: 'hf' } },
      },
    });
  });

  it('keeps a value that differs from the default (count 2, private access)', () => {
    const two = { ...stored, resource: { ...stored.resource, count: 2 } };
    expect(cleanWorkspace(two)['resource']).toMatchObject({ count: 2 });
  });
});

describe('workspaceReferences', () => {
  it('names every ConfigMap and Secret with its field', () => {
    expect(workspaceReferences(stored)).toEqual([
      { kind: 'ConfigMap', name: 'phi-3-params', field: 'inference.config' },
      { kind: 'Secret', name: 'hf', field: 'inference.preset.presetOptions.modelAccessSecret' },
      { kind: 'Secret', name: 'pull', field: 'inference.adapters[0].source.imagePullSecrets[0]' },
    ]);
  });
});

describe('importFiles', () => {
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'phi-3-params', namespace: 'team-a', uid: 'x', resourceVersion: '9' },
    data: { 'inference_config.yaml': 'vllm:\n  max-model-len: 4096\n' },
  };

  it('writes one file per Workspace and per ConfigMap it names, byte-stable, and lists the Secrets', () => {
    const result = importFiles([stored], [configMap]);
    expect(result.files.map((f) => f.path)).toEqual([
      'team-a/configmap-phi-3-params.yaml',
      'team-a/workspace-phi-3.yaml',
    ]);
    expect(result.files[0]!.content).toBe(
      [
        '# Imported from the cluster by `kaito-gitops import`.',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: phi-3-params',
        '  namespace: team-a',
        'data:',
        '  inference_config.yaml: |',
        '    vllm:',
        '      max-model-len: 4096',
        '',
      ].join('\n'),
    );
    expect(result.references.map((r) => `${r.kind} ${r.name}`)).toEqual(['Secret hf', 'Secret pull']);
    expect(importFiles([stored], [configMap])).toEqual(result);
  });

  it('reports a ConfigMap the cluster does not have', () => {
    expect(importFiles([stored], []).references[0]).toEqual({
      workspace: 'team-a/phi-3',
      kind: 'ConfigMap',
      name: 'phi-3-params',
      field: 'inference.config',
    });
  });
});
