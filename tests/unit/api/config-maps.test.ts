import { describe, expect, it } from 'vitest';
import { readVllmConfig, vllmArgs } from '../../../src/api/index.ts';
import type { ConfigMapObject } from '../../../src/api/index.ts';
import { configMap, edit, inferenceV1beta1, load, problemsOf, tuningV1beta1 } from './fixtures.ts';

const withInferenceConfig = edit(inferenceV1beta1(), (d) => (d.inference.config = 'params'));
const inferenceCm = (text: string) => configMap('params', { 'inference_config.yaml': text });

describe('inference.config', () => {
  it('accepts a ConfigMap with vLLM arguments', () => {
    const cm = inferenceCm(
      'max_probe_steps: 6\nvllm:\n  max-model-len: 131072\n  enable-chunked-prefill: true\n',
    );
    expect(load(withInferenceConfig, cm).failures).toEqual([]);
  });

  it.each<[string, unknown[], string]>([
    [
      'a missing ConfigMap',
      [],
      "inference.config: ConfigMap 'params' specified in 'config' not found in namespace 'default'; add it to the source repository next to the Workspace, or remove inference.config",
    ],
    [
      'a ConfigMap in another namespace',
      [configMap('params', { 'inference_config.yaml': 'vllm: {}\n' }, 'other')],
      "ConfigMap 'params' specified in 'config' not found in namespace 'default'",
    ],
    [
      'a ConfigMap without inference_config.yaml',
      [configMap('params', { 'other.yaml': '' })],
      "inference.config: ConfigMap 'params' does not contain 'inference_config.yaml' in namespace 'default'",
    ],
    [
      'broken YAML',
      [inferenceCm('vllm: [\n')],
      'inference.config: Failed to parse inference_config.yaml: line 2, column 1:',
    ],
    [
      'a list instead of a mapping',
      [inferenceCm('- a\n')],
      'Failed to parse inference_config.yaml: the document must be a mapping, got a list',
    ],
    [
      'a vllm section that is not a mapping',
      [inferenceCm('vllm: fast\n')],
      "'vllm' in inference_config.yaml of ConfigMap 'params' must be a mapping of vLLM arguments, got \"fast\"",
    ],
    [
      'a nested vLLM argument',
      [inferenceCm('vllm:\n  speculative: {model: x}\n')],
      "vllm argument 'speculative' in ConfigMap 'params' must be a single value, got an object",
    ],
    [
      'a max-model-len that is not an integer',
      [inferenceCm('vllm:\n  max-model-len: 4k\n')],
      'max-model-len must be an integer: got "4k"',
    ],
  ])('refuses %s', (_, extra, expected) => {
    expect(problemsOf(load(withInferenceConfig, ...extra))).toContainEqual(expect.stringContaining(expected));
  });

  it('returns the vllm section for the catalog and the renderer', () => {
    const cm = inferenceCm(
      'vllm:\n  max-model-len: 4096\n  gpu-memory-utilization: 0.92\n  chat-template: "/t.jinja"\n',
    );
    const result = load(withInferenceConfig, cm);
    const configMaps = result.objects as ConfigMapObject[];
    expect(vllmArgs(result.workspaces[0]!, configMaps)).toEqual({
      'max-model-len': 4096,
      'gpu-memory-utilization': 0.92,
      'chat-template': '/t.jinja',
    });
    expect(vllmArgs(load(inferenceV1beta1()).workspaces[0]!, [])).toEqual({});
    expect(readVllmConfig(cm as ConfigMapObject)).toMatchObject({ ok: true });
  });
});

const withTuningConfig = (method: string) =>
  edit(tuningV1beta1(), (d) => {
    d.tuning.config = 'train';
    d.tuning.method = method;
  });
const trainingCm = (text: string) => configMap('train', { 'training_config.yaml': text });
const qlora =
  'training_config:\n  QuantizationConfig:\n    load_in_4bit: true\n  TrainingArguments:\n    output_dir: "/mnt/results"\n';

describe('tuning.config', () => {
  it.each<[string, string, string]>([
    ['qlora with 4-bit loading', 'qlora', qlora],
    ['lora without quantization', 'lora', 'training_config:\n  LoraConfig:\n    r: 8\n'],
    [
      'lora with explicit false flags',
      'lora',
      'training_config:\n  QuantizationConfig:\n    load_in_4bit: false\n    load_in_8bit: null\n',
    ],
    [
      'qlora with 8-bit loading',
      'qlora',
      'training_config:\n  QuantizationConfig:\n    load_in_8bit: true\n',
    ],
  ])('accepts %s', (_, method, text) => {
    expect(load(withTuningConfig(method), trainingCm(text)).failures).toEqual([]);
  });

  it.each<[string, string, unknown[], string]>([
    [
      'a missing ConfigMap',
      'qlora',
      [],
      "tuning.config: ConfigMap 'train' specified in 'config' not found in namespace 'default'",
    ],
    [
      'a ConfigMap without training_config.yaml',
      'qlora',
      [configMap('train', {})],
      "tuning.config: ConfigMap 'train' does not contain 'training_config.yaml' in namespace 'default'",
    ],
    [
      'broken YAML',
      'qlora',
      [trainingCm('training_config: {\n')],
      "Failed to parse 'training_config.yaml' in ConfigMap 'train' in namespace 'default': line",
    ],
    [
      'no training_config map',
      'qlora',
      [trainingCm('other: 1\n')],
      "Expected 'training_config' key to contain a map in ConfigMap 'train'",
    ],
    [
      'an unknown section',
      'qlora',
      [trainingCm(`${qlora}  Optimizer:\n    lr: 1\n`)],
      'tuning.config: Unrecognized section: Optimizer',
    ],
    [
      'both quantizations',
      'qlora',
      [
        trainingCm(
          'training_config:\n  QuantizationConfig:\n    load_in_4bit: true\n    load_in_8bit: true\n',
        ),
      ],
      "Cannot set both 'load_in_4bit' and 'load_in_8bit' to true in ConfigMap 'train'",
    ],
    [
      'lora with quantization',
      'lora',
      [trainingCm(qlora)],
      "For method 'lora', 'load_in_4bit' or 'load_in_8bit' in ConfigMap 'train' must not be true",
    ],
    [
      'qlora without quantization',
      'qlora',
      [trainingCm('training_config:\n  LoraConfig:\n    r: 8\n')],
      "For method 'qlora', either 'load_in_4bit' or 'load_in_8bit' must be true in ConfigMap 'train'",
    ],
    [
      'a quantization flag that is not a boolean',
      'qlora',
      [trainingCm('training_config:\n  QuantizationConfig:\n    load_in_4bit: "yes"\n')],
      `'load_in_4bit' in ConfigMap 'train': value must be either nil or a boolean, got "yes"`,
    ],
    [
      'an output_dir outside /mnt',
      'qlora',
      [trainingCm(`${qlora.replace('/mnt/results', '../etc')}`)],
      "Invalid output_dir specified: '../etc', must be a directory",
    ],
    [
      'output_dir /mnt itself',
      'qlora',
      [trainingCm(`${qlora.replace('/mnt/results', '.')}`)],
      "Invalid output_dir specified: '.', must be a directory",
    ],
    [
      'an output_dir that is not text',
      'qlora',
      [trainingCm(`${qlora.replace('"/mnt/results"', '5')}`)],
      "output_dir is not a string in ConfigMap 'train' in namespace 'default'",
    ],
  ])('refuses %s', (_, method, extra, expected) => {
    expect(problemsOf(load(withTuningConfig(method), ...extra))).toContainEqual(
      expect.stringContaining(expected),
    );
  });
});
