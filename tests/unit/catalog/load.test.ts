import { describe, expect, it } from 'vitest';
import { SpecError } from '../../../src/errors.ts';
import { parseCatalog, type CatalogFile } from '../../../src/catalog/load.ts';
import { findPreset } from '../../../src/catalog/models.ts';
import { closeMatches } from '../../../src/catalog/registry.ts';
import { catalog } from './fixtures.ts';

const MODELS_HEADER = `registry: r.example.com/kaito
baseImage: { repository: r.example.com/kaito/kaito-base, tag: 1.0.0 }
`;
const GOOD_MODEL = `  - name: good
    huggingFaceId: org/good
    weightsGiB: 1
    diskGiB: 10
    contextTokens: 4096
    bytesPerToken: 1024
    runtimes: { vllm: { args: {} } }
`;
const SKUS = `cloud: azure
priceSource: test prices
skus:
  - { name: Standard_T1, gpuCount: 1, gpuMemoryGiB: 16, gpuModel: NVIDIA T, pricePerHourUsd: 1 }
`;

function problemsOf(files: CatalogFile[]): string[] {
  try {
    parseCatalog(files);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as SpecError).message.split('\n');
  }
  throw new Error('expected a SpecError');
}

describe('the presets/ directory', () => {
  it('knows every Kaito preset name of the reference tables (legacy presets or catalog short names)', () => {
    for (const name of [
      'phi-2',
      'phi-3-mini-4k-instruct',
      'phi-3-mini-128k-instruct',
      'phi-3-medium-4k-instruct',
      'phi-3-medium-128k-instruct',
      'phi-3.5-mini-instruct',
      'phi-4',
      'phi-4-mini-instruct',
      'falcon-7b',
      'falcon-7b-instruct',
      'falcon-40b',
      'falcon-40b-instruct',
      'mistral-7b',
      'mistral-7b-instruct',
      'ministral-3-3b-instruct',
      'ministral-3-8b-instruct',
      'ministral-3-14b-instruct',
      'mistral-large-3-675b-instruct',
      'llama-2-7b',
      'llama-2-7b-chat',
      'llama-2-13b',
      'llama-2-13b-chat',
      'llama-2-70b',
      'llama-2-70b-chat',
      'llama-3.1-8b-instruct',
      'llama-3.3-70b-instruct',
      'qwen2.5-coder-7b-instruct',
      'qwen2.5-coder-32b-instruct',
      'deepseek-r1-distill-llama-8b',
      'deepseek-r1-distill-qwen-14b',
      'deepseek-r1-0528',
      'deepseek-v3-0324',
      'gemma-3-4b-instruct',
      'gemma-3-27b-instruct',
      'gpt-oss-20b',
      'gpt-oss-120b',
    ]) {
      expect(findPreset(catalog, name, 'vllm').kind, name).toBe('found');
    }
  });

  it.each([
    ['Standard_NC6s_v3', 'azure', 1, 16],
    ['Standard_NC12s_v3', 'azure', 2, 32],
    ['Standard_NC24rs_v3', 'azure', 4, 64],
    ['Standard_NC24ads_A100_v4', 'azure', 1, 80],
    ['Standard_ND96isr_H200_v5', 'azure', 8, 1128],
    ['p5.48xlarge', 'aws', 8, 640],
    ['g5.48xlarge', 'aws', 8, 192],
    ['Standard_NC16_A16', 'arc', 2, 32],
  ])('knows %s (%s): %i GPUs, %i GiB', (name, cloud, gpus, memory) => {
    expect(catalog.skus.require(name)).toMatchObject({ cloud, gpuCount: gpus, gpuMemoryGiB: memory });
  });

  it('states where prices come from for every cloud that has prices', () => {
    expect(catalog.priceSources.azure).toMatch(/East US.*approximate/);
    expect(catalog.priceSources.aws).toMatch(/us-east-1.*approximate/);
    expect(catalog.baseImage).toBe('mcr.microsoft.com/aks/kaito/kaito-base:0.5.0');
  });

  it('resolves private and image-backed presets as written', () => {
    expect(catalog.presets.require('llama-2-13b')).toMatchObject({
      accessMode: 'private',
      distributed: true,
    });
    expect(catalog.presets.require('phi-2').deprecated).toBe(true);
    expect(catalog.presets.require('falcon-7b').image).toEqual({
      repository: 'mcr.microsoft.com/aks/kaito/kaito-falcon-7b',
      tag: '0.0.6',
    });
  });
});

describe('parseCatalog errors', () => {
  it.each([
    [
      'a non-positive disk size',
      GOOD_MODEL.replace('diskGiB: 10', 'diskGiB: -5'),
      'presets/models.yaml: models[0].diskGiB: must be a positive number',
    ],
    [
      'a missing name',
      GOOD_MODEL.replace('  - name: good\n', '  - ').replace('    huggingFaceId', 'huggingFaceId'),
      'presets/models.yaml: models[0].name: must be a non-empty string',
    ],
    [
      'a misspelt field',
      GOOD_MODEL.replace('diskGiB', 'diskGIB'),
      'presets/models.yaml: models[0].diskGIB: unknown field',
    ],
    [
      'no runtime',
      GOOD_MODEL.replace('    runtimes: { vllm: { args: {} } }\n', ''),
      'presets/models.yaml: models[0].runtimes: must list at least one of vllm, transformers',
    ],
    [
      'a bad launcher',
      GOOD_MODEL.replace('{ vllm: { args: {} } }', '{ transformers: { launcher: python, args: {} } }'),
      'presets/models.yaml: models[0].runtimes.transformers.launcher: must be one of accelerate, torchrun',
    ],
    [
      'a flag that is a list',
      GOOD_MODEL.replace('args: {}', 'args: { dtype: [a] }'),
      'presets/models.yaml: models[0].runtimes.vllm.args.dtype: must be a string, a number or true',
    ],
    [
      'tuning without an image',
      GOOD_MODEL + '    tuning: { supported: true }\n',
      'presets/models.yaml: models[0].tuning.supported: tuning runs the preset image',
    ],
    [
      'a malformed Hugging Face id',
      GOOD_MODEL.replace('org/good', 'good'),
      'presets/models.yaml: models[0].huggingFaceId: "good" must look like org/model',
    ],
  ])('reports %s with file and path', (_what, model, expected) => {
    const lines = problemsOf([
      { path: 'presets/models.yaml', content: `${MODELS_HEADER}models:\n${model}` },
      { path: 'presets/skus-azure.yaml', content: SKUS },
    ]);
    expect(lines.some((line) => line.startsWith(expected))).toBe(true);
  });

  it('reports every problem of every file at once', () => {
    const lines = problemsOf([
      {
        path: 'presets/models.yaml',
        content: `${MODELS_HEADER}models:\n${GOOD_MODEL.replace('weightsGiB: 1', 'weightsGiB: x').replace('contextTokens: 4096', 'contextTokens: 1.5')}`,
      },
      { path: 'presets/skus-azure.yaml', content: SKUS.replace('gpuCount: 1', 'gpuCount: 0') },
    ]);
    expect(lines).toEqual([
      'presets/models.yaml: models[0].weightsGiB: must be a positive number',
      'presets/models.yaml: models[0].contextTokens: must be a positive integer',
      'presets/skus-azure.yaml: skus[0].gpuCount: must be a positive integer',
    ]);
  });

  it('refuses duplicate names, naming the first occurrence', () => {
    const lines = problemsOf([
      { path: 'presets/models.yaml', content: `${MODELS_HEADER}models:\n${GOOD_MODEL}${GOOD_MODEL}` },
      { path: 'presets/skus-a.yaml', content: SKUS },
      { path: 'presets/skus-b.yaml', content: SKUS },
    ]);
    expect(lines).toEqual([
      'presets/models.yaml: models[1].name: duplicate preset name "good" (first at presets/models.yaml: models[0])',
      'presets/skus-b.yaml: skus[0].name: duplicate SKU name "Standard_T1" (first at presets/skus-a.yaml: skus[0])',
    ]);
  });

  it.each([
    ['invalid YAML', 'models: [', /presets\/x.yaml: invalid YAML/],
    [
      'a file that is neither',
      'other: 1',
      /presets\/x.yaml: must hold one of models:, modelCatalog:, huggingFaceRules:, gpuPartitions:, tuningDefaults: or skus:/,
    ],
    [
      'prices without a source',
      SKUS.replace('priceSource: test prices\n', ''),
      /priceSource: must say where/,
    ],
    ['an unknown cloud', SKUS.replace('cloud: azure', 'cloud: gcp'), /cloud: must be one of azure, aws, arc/],
  ])('reports %s', (_what, content, expected) => {
    const lines = problemsOf([
      { path: 'presets/models.yaml', content: `${MODELS_HEADER}models:\n${GOOD_MODEL}` },
      { path: 'presets/x.yaml', content },
    ]);
    expect(lines.join('\n')).toMatch(expected);
  });
});

describe('registries', () => {
  it('get returns undefined and require names close matches', () => {
    expect(catalog.presets.get('phi-5')).toBeUndefined();
    expect(() => catalog.presets.require('phi-3-mini-4k-instuct')).toThrow(
      'unknown preset "phi-3-mini-4k-instuct"; did you mean phi-3-mini-4k-instruct',
    );
    expect(() => catalog.skus.require('Standard_NC6s_v4')).toThrow(/did you mean .*Standard_NC6s_v3/);
    expect(() => catalog.presets.require('zzzzzzzzzzzzzz')).toThrow(/^unknown preset "zzzzzzzzzzzzzz"$/);
  });

  it.each([
    ['falcon-7', ['falcon-40b', 'falcon-7b-instruct', 'falcon-7b'], ['falcon-7b', 'falcon-7b-instruct']],
    ['xyz', ['falcon-7b'], []],
  ])('closeMatches(%s)', (name, names, expected) => {
    expect(closeMatches(name, names)).toEqual(expected);
  });
});
