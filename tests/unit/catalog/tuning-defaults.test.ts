/**
 * Kaito's default tuning parameters: loaded from presets/ and checked like a Workspace's tuning.config, and
 * chosen by plan for a Workspace that names none.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SpecError } from '../../../src/errors.ts';
import { parseCatalog, type CatalogFile } from '../../../src/catalog/load.ts';
import { plan } from '../../../src/catalog/plan.ts';
import type { TuningPlan } from '../../../src/catalog/types.ts';
import { catalog, tuning } from './fixtures.ts';

const MODELS: CatalogFile = {
  path: 'presets/models.yaml',
  content: `registry: r.example.com/kaito
baseImage: { repository: r.example.com/kaito/kaito-base, tag: 1.0.0 }
models:
  - { name: good, weightsGiB: 1, diskGiB: 10, contextTokens: 4096, bytesPerToken: 1024, runtimes: { vllm: { args: {} } } }
`,
};

/** One tuningDefaults entry with `TrainingArguments` and `QuantizationConfig` as given. */
function entry(method: string, trainingArguments: string, quantization = 'load_in_4bit: false'): string {
  return `  - apiVersion: kaito.sh/v1beta1
    method: ${method}
    kaitoConfigMap: ${method}-params-template
    trainingConfig: |
      training_config:
        QuantizationConfig:
          ${quantization}
        TrainingArguments:
          ${trainingArguments}
`;
}

function problemsOf(...entries: string[]): string {
  const file = { path: 'presets/tuning-defaults.yaml', content: `tuningDefaults:\n${entries.join('')}` };
  try {
    parseCatalog([MODELS, file]);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as SpecError).message;
  }
  throw new Error('expected a SpecError');
}

describe('presets/tuning-defaults.yaml', () => {
  const config = (apiVersion: string, method: string) => {
    const found = catalog.tuningDefaults.find((d) => d.apiVersion === apiVersion && d.method === method);
    return (
      parse(found?.trainingConfig ?? '') as { training_config: Record<string, Record<string, unknown>> }
    ).training_config;
  };

  it('holds Kaito’s lora and qlora defaults for both API versions, writing to /mnt/results', () => {
    expect(catalog.tuningDefaults.map((d) => `${d.apiVersion} ${d.method} ${d.kaitoConfigMap}`)).toEqual([
      'kaito.sh/v1alpha1 lora lora-params-template',
      'kaito.sh/v1alpha1 qlora qlora-params-template',
      'kaito.sh/v1beta1 lora lora-params-template',
      'kaito.sh/v1beta1 qlora qlora-params-template',
    ]);
    expect(new Set(catalog.tuningDefaults.map((d) => d.outputDir))).toEqual(new Set(['/mnt/results']));
  });

  it.each([
    ['kaito.sh/v1alpha1', 'epoch'],
    ['kaito.sh/v1beta1', 'no'],
  ])('%s saves checkpoints as Kaito’s chart of its era does (%s)', (apiVersion, strategy) => {
    expect(config(apiVersion, 'lora')['TrainingArguments']?.['save_strategy']).toBe(strategy);
    expect(config(apiVersion, 'qlora')['TrainingArguments']?.['save_strategy']).toBe(strategy);
  });

  it('quantizes to 4 bits for qlora only, with Kaito’s LoRA rank', () => {
    expect(config('kaito.sh/v1beta1', 'qlora')['QuantizationConfig']).toEqual({
      load_in_4bit: true,
      bnb_4bit_quant_type: 'nf4',
      bnb_4bit_compute_dtype: 'bfloat16',
      bnb_4bit_use_double_quant: true,
    });
    expect(config('kaito.sh/v1beta1', 'lora')['QuantizationConfig']).toEqual({ load_in_4bit: false });
    expect(config('kaito.sh/v1beta1', 'lora')['LoraConfig']).toEqual({
      r: 8,
      lora_alpha: 8,
      lora_dropout: 0,
    });
  });
});

describe('loading tuning defaults refuses', () => {
  it.each([
    [
      'an output_dir the results volume cannot be mounted at',
      entry('lora', 'output_dir: results'),
      "presets/tuning-defaults.yaml: tuningDefaults[0].trainingConfig: output_dir 'results' in ConfigMap 'lora-params-template' must be an absolute directory under /mnt",
    ],
    [
      'no output_dir',
      entry('lora', 'num_train_epochs: 1'),
      "tuningDefaults[0].trainingConfig: ConfigMap 'lora-params-template' sets no TrainingArguments.output_dir",
    ],
    [
      'an output_dir in the config directory',
      entry('lora', 'output_dir: /mnt/config'),
      "tuningDefaults[0].trainingConfig: output_dir '/mnt/config' in ConfigMap 'lora-params-template' is inside /mnt/config",
    ],
    [
      'qlora without quantization',
      entry('qlora', 'output_dir: /mnt/results'),
      "tuningDefaults[0].trainingConfig: For method 'qlora', either 'load_in_4bit' or 'load_in_8bit' must be true in ConfigMap 'qlora-params-template'",
    ],
    [
      'an unknown method',
      entry('dora', 'output_dir: /mnt/results'),
      'tuningDefaults[0].method: must be one of lora, qlora',
    ],
    [
      'the same method twice',
      entry('lora', 'output_dir: /mnt/results') + entry('lora', 'output_dir: /mnt/out'),
      'tuningDefaults[1].method: duplicate tuning default method "lora for kaito.sh/v1beta1" (first at presets/tuning-defaults.yaml: tuningDefaults[0])',
    ],
  ])('%s', (_name, entries, message) => {
    expect(problemsOf(entries)).toContain(message);
  });
});

describe('plan without tuning.config', () => {
  const tuningPlan = (apiVersion: 'kaito.sh/v1alpha1' | 'kaito.sh/v1beta1') =>
    plan(
      tuning('phi-3-mini-128k-instruct', {
        name: 'tune',
        apiVersion,
        instanceType: 'Standard_NC24ads_A100_v4',
      }),
      catalog,
    ) as TuningPlan;

  it.each(['kaito.sh/v1alpha1', 'kaito.sh/v1beta1'] as const)(
    '%s: Kaito’s defaults for the method and API version, as the Workspace’s own ConfigMap',
    (apiVersion) => {
      const p = tuningPlan(apiVersion);
      expect(p.trainingConfig.configMap).toBe('tune-qlora-params');
      expect(p.trainingConfig.defaults).toMatchObject({ apiVersion, method: 'qlora' });
      expect(p.resultsDir).toBe('/mnt/results');
      expect(p.notes).toContain(
        "no tuning.config: Kaito's default qlora parameters (qlora-params-template) as ConfigMap tune-qlora-params, results in /mnt/results",
      );
    },
  );

  it('puts the results where the defaults’ output_dir says', () => {
    const moved = {
      ...catalog,
      tuningDefaults: catalog.tuningDefaults.map((d) => ({ ...d, outputDir: '/mnt/adapter-out/' })),
    };
    const p = plan(tuning('phi-3-mini-128k-instruct', { instanceType: 'Standard_NC24ads_A100_v4' }), moved);
    expect((p as TuningPlan).resultsDir).toBe('/mnt/adapter-out');
  });

  it('names tuning.config when the presets hold no defaults for the method', () => {
    expect(() =>
      plan(tuning('phi-3-mini-128k-instruct', { instanceType: 'Standard_NC24ads_A100_v4' }), {
        ...catalog,
        tuningDefaults: [],
      }),
    ).toThrow(
      "tuning.config: the presets hold no default parameters for method 'qlora' of kaito.sh/v1beta1: name a ConfigMap holding training_config.yaml in tuning.config",
    );
  });
});
