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

describe('importFiles: Kaito’s default tuning parameters edited in the namespace', () => {
  const SHIPPED =
    'training_config:\n  LoraConfig:\n    r: 8\n  TrainingArguments:\n    output_dir: "/mnt/results"\n';
  const defaults = [
    {
      apiVersion: 'kaito.sh/v1beta1',
      method: 'lora',
      kaitoConfigMap: 'lora-params-template',
      trainingConfig: SHIPPED,
    },
  ];
  const tuner = (name: string, config?: string) => ({
    apiVersion: 'kaito.sh/v1beta1',
    kind: 'Workspace',
    metadata: { name, namespace: 'ml' },
    resource: { labelSelector: { matchLabels: { apps: name } } },
    tuning: { preset: { name: 'phi-3-mini-128k-instruct' }, method: 'lora', ...(config ? { config } : {}) },
  });
  const template = (text: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'lora-params-template', namespace: 'ml', uid: 'u1', labels: { 'helm.sh/chart': 'x' } },
    data: { 'training_config.yaml': text },
  });

  it('changes nothing for a template equal to the shipped defaults in value, whatever its layout', () => {
    const same =
      '# Kaito chart\ntraining_config:\n  TrainingArguments: {output_dir: /mnt/results}\n  LoraConfig:\n    r: 8\n';
    const result = importFiles([tuner('t')], [], {
      namespaceConfigMaps: [template(same)],
      tuningDefaults: defaults,
    });
    expect(result.tuningDefaults).toEqual([]);
    expect(result.files.map((f) => f.path)).toEqual(['ml/workspace-t.yaml']);
    expect(result.files[0]?.content).not.toContain('config:');
  });

  it('writes an edited one as the Workspace’s own ConfigMap, beside one the import writes of that name', () => {
    const edited = SHIPPED.replace('r: 8', 'r: 32');
    const taken = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 't-lora-params', namespace: 'ml' },
    };
    const result = importFiles([tuner('t'), tuner('other', 't-lora-params')], [taken], {
      namespaceConfigMaps: [template(edited)],
      tuningDefaults: defaults,
    });
    expect(result.tuningDefaults).toEqual([
      { workspace: 'ml/t', template: 'lora-params-template', configMap: 't-lora-params-2' },
    ]);
    const written = new Map(result.files.map((f) => [f.path, f.content]));
    expect(written.get('ml/configmap-t-lora-params-2.yaml')).toBe(
      "# Imported from the cluster by `kaito-gitops import`.\n# ml/t ran with its namespace's lora-params-template, edited in the cluster: its tuning.config now.\n" +
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t-lora-params-2\n  namespace: ml\ndata:\n' +
        '  training_config.yaml: |\n    training_config:\n      LoraConfig:\n        r: 32\n      TrainingArguments:\n        output_dir: "/mnt/results"\n',
    );
    expect(written.get('ml/workspace-t.yaml')).toContain('  config: t-lora-params-2\n');
  });
});
