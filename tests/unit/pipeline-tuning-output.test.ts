/**
 * Where a tuning Job's results land, through `hydrate`: Kaito's trainer writes the adapter and
 * `fine_tuning_completed.txt` to `TrainingArguments.output_dir` of the `tuning.config` ConfigMap exactly as
 * written, so the results volume is mounted there and the pusher waits for and pushes that directory; an
 * `output_dir` that no volume can hold is refused before anything trains. Without `tuning.config`, Kaito's
 * default parameters for the method are rendered and mounted, and their `output_dir` decides the same way.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { V1Container, V1Job } from '@kubernetes/client-node';
import { readCatalog, type Catalog } from '../../src/catalog/index.ts';
import { hydrate } from '../../src/pipeline.ts';

const JOB = 'workspaces/default/tune/job-tune.yaml';

/** A tuning Workspace pushing its adapter image, with the ConfigMap's TrainingArguments as given. */
function source(
  trainingArguments: string,
  output = 'image: registry.example.com/adapters/tune:1\n    imagePushSecret: registry-push',
): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: tune-params
data:
  training_config.yaml: |
    training_config:
      QuantizationConfig:
        load_in_4bit: true
      TrainingArguments:
${trainingArguments.replace(/^/gm, '        ')}
---
apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: tune
resource:
  instanceType: Standard_NC24ads_A100_v4
  labelSelector:
    matchLabels:
      apps: tune
tuning:
  preset:
    name: phi-3-mini-128k-instruct
  method: qlora
  config: tune-params
  input:
    urls:
      - https://example.com/data.parquet
  output:
    ${output}
`;
}

let catalog: Catalog;
beforeAll(async () => {
  catalog = await readCatalog();
});

function job(trainingArguments: string, output?: string): V1Job {
  const result = hydrate([{ path: 'tune.yaml', content: source(trainingArguments, output) }], { catalog });
  expect(result.errors.map((e) => e.message)).toEqual([]);
  return parse(result.tree.get(JOB) ?? '') as V1Job;
}

const container = (j: V1Job, name: string): V1Container | undefined =>
  j.spec?.template.spec?.containers.find((c) => c.name === name);
const resultsMount = (c: V1Container | undefined) =>
  c?.volumeMounts?.find((m) => m.name === 'results-volume')?.mountPath;

describe('tuning output_dir through hydrate', () => {
  it.each([
    ['/mnt/results', '/mnt/results'],
    ['/mnt/checkpoints/phi-3', '/mnt/checkpoints/phi-3'],
    ['"/mnt/output/"', '/mnt/output'],
  ])('output_dir %s: the trainer and the pusher share %s', (dir, where) => {
    const rendered = job(`output_dir: ${dir}\nnum_train_epochs: 1`);
    expect(resultsMount(container(rendered, 'tune'))).toBe(where);
    const pusher = container(rendered, 'pusher');
    expect(resultsMount(pusher)).toBe(where);
    expect(pusher?.args?.slice(0, 3)).toEqual(['adapter', 'push', where]);
    expect(pusher?.args).toContain('fine_tuning_completed.txt');
  });

  it('mounts an output volume where the trainer writes', () => {
    const rendered = job(
      'output_dir: /mnt/checkpoints',
      'volumeSource:\n      persistentVolumeClaim:\n        claimName: tuning-output',
    );
    expect(resultsMount(container(rendered, 'tune'))).toBe('/mnt/checkpoints');
    expect(rendered.spec?.template.spec?.volumes).toContainEqual({
      name: 'results-volume',
      persistentVolumeClaim: { claimName: 'tuning-output' },
    });
  });

  it.each([
    [
      'a relative directory',
      'output_dir: results',
      "output_dir 'results' in ConfigMap 'tune-params' must be an absolute directory under /mnt, such as /mnt/results",
    ],
    [
      'a directory outside /mnt',
      'output_dir: /tmp/out',
      "output_dir '/tmp/out' in ConfigMap 'tune-params' must be an absolute directory under /mnt, such as /mnt/results",
    ],
    ['no output_dir', 'num_train_epochs: 1', "ConfigMap 'tune-params' sets no TrainingArguments.output_dir"],
    [
      'the input directory',
      'output_dir: /mnt/data',
      "output_dir '/mnt/data' in ConfigMap 'tune-params' is inside /mnt/data, where the tuning data is mounted",
    ],
    [
      'inside the config directory',
      'output_dir: /mnt/config/out',
      "output_dir '/mnt/config/out' in ConfigMap 'tune-params' is inside /mnt/config, where the tuning config is mounted",
    ],
  ])('refuses %s, naming the field, and renders nothing', (_name, args, message) => {
    const result = hydrate([{ path: 'tune.yaml', content: source(args) }], { catalog });
    expect(result.tree.has(JOB)).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.message).toContain(`tuning.config: ${message}`);
  });
});

/** A tuning Workspace without tuning.config, as Kaito's examples write them. */
function withoutConfig(name: string, method: string, apiVersion = 'kaito.sh/v1beta1'): string {
  return `apiVersion: ${apiVersion}
kind: Workspace
metadata:
  name: ${name}
resource:
  instanceType: Standard_NC24ads_A100_v4
  labelSelector:
    matchLabels:
      apps: ${name}
tuning:
  preset:
    name: phi-3-mini-128k-instruct
  method: ${method}
  input:
    urls:
      - https://example.com/data.parquet
  output:
    image: registry.example.com/adapters/${name}:1
    imagePushSecret: registry-push
`;
}

describe('tuning without tuning.config (Kaito’s default parameters)', () => {
  const render = (files: { path: string; content: string }[]) => {
    const result = hydrate(files, { catalog });
    expect(result.errors.map((e) => e.message)).toEqual([]);
    return result.tree;
  };
  const configOf = (tree: ReadonlyMap<string, string>, path: string) =>
    parse(
      (parse(tree.get(path) ?? '') as { data: Record<string, string> }).data['training_config.yaml']!,
    ) as {
      training_config: Record<string, Record<string, unknown>>;
    };

  it.each([
    ['kaito.sh/v1beta1', 'qlora', 'no', true],
    ['kaito.sh/v1beta1', 'lora', 'no', false],
    ['kaito.sh/v1alpha1', 'qlora', 'epoch', true],
    ['kaito.sh/v1alpha1', 'lora', 'epoch', false],
  ])(
    '%s %s: renders the defaults as the Workspace’s own ConfigMap and mounts it at /mnt/config',
    (apiVersion, method, saveStrategy, in4bit) => {
      const tree = render([{ path: 'tune.yaml', content: withoutConfig('tune', method, apiVersion) }]);
      const configMap = `workspaces/default/tune/configmap-tune-${method}-params.yaml`;
      const config = configOf(tree, configMap).training_config;
      expect(config['TrainingArguments']).toMatchObject({
        output_dir: '/mnt/results',
        save_strategy: saveStrategy,
      });
      expect(config['QuantizationConfig']?.['load_in_4bit']).toBe(in4bit);
      expect(parse(tree.get(configMap) ?? '')).toMatchObject({
        metadata: { name: `tune-${method}-params`, labels: { 'kaito.sh/workspace': 'tune' } },
      });

      const rendered = parse(tree.get(JOB) ?? '') as V1Job;
      const trainer = container(rendered, 'tune');
      expect(trainer?.volumeMounts).toContainEqual({ name: 'config-volume', mountPath: '/mnt/config' });
      expect(rendered.spec?.template.spec?.volumes).toContainEqual({
        name: 'config-volume',
        configMap: { name: `tune-${method}-params` },
      });
      // The default's output_dir is where the results volume goes, for the trainer and the pusher.
      expect(resultsMount(trainer)).toBe('/mnt/results');
      expect(resultsMount(container(rendered, 'pusher'))).toBe('/mnt/results');
    },
  );

  it('gives each tuning Workspace of a namespace its own defaults, so neither collides nor prunes the other', () => {
    const tree = render([
      { path: 'a.yaml', content: withoutConfig('tune-a', 'qlora') },
      { path: 'b.yaml', content: withoutConfig('tune-b', 'qlora') },
    ]);
    expect(tree.has('workspaces/default/tune-a/configmap-tune-a-qlora-params.yaml')).toBe(true);
    expect(tree.has('workspaces/default/tune-b/configmap-tune-b-qlora-params.yaml')).toBe(true);
  });
});
