import { describe, expect, it } from 'vitest';
import { edit, inferenceV1alpha1, inferenceV1beta1, load, problemsOf, tuningV1beta1 } from './fixtures.ts';
import type { Doc } from './fixtures.ts';

const annotate = (key: string, value: string) => (d: Doc) => {
  d.metadata.annotations = { [key]: value };
};

const adapter = (source: Doc, strength?: string): Doc =>
  strength === undefined ? { source } : { source, strength };
const withAdapters =
  (...adapters: Doc[]) =>
  (d: Doc) => {
    d.inference.adapters = adapters;
  };
const image = 'myregistry.azurecr.io/adapter:0.0.1';

describe('Kaito rules that accept', () => {
  it.each<[string, Doc]>([
    ['a v1beta1 inference Workspace', inferenceV1beta1()],
    ['a v1alpha1 inference Workspace with an adapter', inferenceV1alpha1()],
    ['a tuning Workspace', tuningV1beta1()],
    [
      'an empty instanceType (planner or BYO nodes)',
      edit(inferenceV1beta1(), (d) => delete d.resource.instanceType),
    ],
    ['an AWS instance type', edit(inferenceV1beta1(), (d) => (d.resource.instanceType = 'p5.48xlarge'))],
    [
      "an 'In' expression with one value instead of matchLabels",
      edit(inferenceV1beta1(), (d) => {
        d.resource.labelSelector = { matchExpressions: [{ key: 'apps', operator: 'In', values: ['phi'] }] };
      }),
    ],
    [
      'a template instead of a preset',
      edit(inferenceV1beta1(), (d) => (d.inference = { template: { spec: { containers: [] } } })),
    ],
    ['each runtime annotation value', edit(inferenceV1beta1(), annotate('kaito.sh/runtime', 'transformers'))],
    [
      'node image family in any case',
      edit(inferenceV1beta1(), annotate('kaito.sh/node-image-family', ' AzureLinux ')),
    ],
    ['a performance mode', edit(inferenceV1beta1(), annotate('kaito.sh/performance-mode', 'interactivity'))],
    ['use-local-weights false', edit(inferenceV1beta1(), annotate('kaito.sh/use-local-weights', 'false'))],
    ['strength 0', edit(inferenceV1beta1(), withAdapters(adapter({ name: 'a', image }, '0')))],
    ['strength 1.0', edit(inferenceV1beta1(), withAdapters(adapter({ name: 'a', image }, '1.0')))],
    ['strength .5', edit(inferenceV1beta1(), withAdapters(adapter({ name: 'a', image }, '.5')))],
    [
      'an adapter from a volume',
      edit(inferenceV1beta1(), withAdapters(adapter({ name: 'a', volumeSource: { emptyDir: {} } }))),
    ],
    [
      'ten adapters',
      edit(
        inferenceV1beta1(),
        withAdapters(...Array.from({ length: 10 }, (_, i) => adapter({ name: `a${i}`, image }))),
      ),
    ],
    [
      'v1alpha1 private access mode with an image',
      edit(inferenceV1alpha1(), (d) => {
        d.inference.preset = {
          name: 'llama-2-7b',
          accessMode: 'private',
          presetOptions: { image: 'myacr.azurecr.io/llama-2-7b:0.0.1' },
        };
      }),
    ],
    [
      'v1beta1 private access mode without an image (deprecated there)',
      edit(inferenceV1beta1(), (d) => (d.inference.preset.accessMode = 'private')),
    ],
    [
      'a modelAccessSecret',
      edit(inferenceV1beta1(), (d) => (d.inference.preset.presetOptions = { modelAccessSecret: 'hf-token' })),
    ],
    ['a tuning method in upper case', edit(tuningV1beta1(), (d) => (d.tuning.method = 'QLoRA'))],
    [
      'tuning input from an image',
      edit(tuningV1beta1(), (d) => (d.tuning.input = { image: 'myacr.azurecr.io/data:1' })),
    ],
    [
      'tuning output to a volume',
      edit(
        tuningV1beta1(),
        (d) => (d.tuning.output = { volumeSource: { persistentVolumeClaim: { claimName: 'out' } } }),
      ),
    ],
    [
      'a data URL on a public IP',
      edit(tuningV1beta1(), (d) => (d.tuning.input.urls = ['http://8.8.8.8/data.parquet'])),
    ],
    [
      'a 52-character inference name',
      edit(inferenceV1beta1(), (d) => (d.metadata.name = `w${'a'.repeat(51)}`)),
    ],
    ['a 63-character tuning name', edit(tuningV1beta1(), (d) => (d.metadata.name = `w${'a'.repeat(62)}`))],
  ])('%s', (_, doc) => {
    const result = load(doc);
    expect(problemsOf(result)).toEqual([]);
    expect(result.workspaces).toHaveLength(1);
  });
});

describe('Kaito rules that refuse, with the message to act on', () => {
  it.each<[string, Doc, string]>([
    // Workspace level
    [
      'neither inference nor tuning',
      edit(inferenceV1beta1(), (d) => delete d.inference),
      'Either Inference or Tuning must be specified, not neither',
    ],
    [
      'both inference and tuning',
      edit(inferenceV1beta1(), (d) => {
        d.tuning = tuningV1beta1().tuning as unknown;
      }),
      'Either Inference or Tuning must be specified, but not both',
    ],
    [
      'a name that is not a DNS-1123 label',
      edit(inferenceV1beta1(), (d) => (d.metadata.name = 'My_Workspace')),
      'metadata.name: "My_Workspace": a lowercase RFC 1123 label',
    ],
    [
      'a name starting with a digit',
      edit(inferenceV1beta1(), (d) => (d.metadata.name = '4phi')),
      'metadata.name: "4phi" must start with a letter',
    ],
    [
      'an inference name over 52 characters',
      edit(inferenceV1beta1(), (d) => (d.metadata.name = `w${'a'.repeat(52)}`)),
      'metadata.name: must be at most 52 characters',
    ],
    [
      'a namespace with a path in it',
      edit(inferenceV1beta1(), (d) => (d.metadata.namespace = '../etc')),
      'metadata.namespace: "../etc": a lowercase RFC 1123 label',
    ],
    [
      'a bad label key',
      edit(inferenceV1beta1(), (d) => (d.metadata.labels = { 'bad key': 'x' })),
      'metadata.labels["bad key"]: invalid label key',
    ],
    [
      'a bad label value',
      edit(inferenceV1beta1(), (d) => (d.metadata.labels = { team: 'a b' })),
      'metadata.labels.team: "a b": a valid label must',
    ],
    // Annotations
    [
      'an unknown runtime',
      edit(inferenceV1beta1(), annotate('kaito.sh/runtime', 'tgi')),
      'metadata.annotations["kaito.sh/runtime"]: unsupported runtime "tgi", supported values are transformers, vllm',
    ],
    [
      'an unknown node image family',
      edit(inferenceV1beta1(), annotate('kaito.sh/node-image-family', 'windows')),
      'unsupported node image family "windows", supported values are azurelinux, ubuntu',
    ],
    [
      'an unknown performance mode',
      edit(inferenceV1beta1(), annotate('kaito.sh/performance-mode', 'fast')),
      '"fast" is not a valid performance mode; choose one of: balanced, interactivity, throughput',
    ],
    [
      'use-local-weights yes',
      edit(inferenceV1beta1(), annotate('kaito.sh/use-local-weights', 'yes')),
      '"yes" must be "true" or "false"',
    ],
    // Resource
    [
      'a placeholder instance type',
      edit(inferenceV1beta1(), (d) => (d.resource.instanceType = '<your-vm-sku>')),
      'resource.instanceType: "<your-vm-sku>" is not a valid instance type name (it looks like a placeholder)',
    ],
    [
      'a placeholder preferred node',
      edit(inferenceV1beta1(), (d) => (d.resource.preferredNodes = ['<your-arc-node-name>'])),
      'resource.preferredNodes[0]: "<your-arc-node-name>" is not a node name (it looks like a placeholder)',
    ],
    [
      'an empty label selector',
      edit(inferenceV1beta1(), (d) => (d.resource.labelSelector = {})),
      "resource.labelSelector: must have at least one matchLabels entry or an 'In' matchExpression",
    ],
    [
      'a NotIn expression',
      edit(
        inferenceV1beta1(),
        (d) => (d.resource.labelSelector.matchExpressions = [{ key: 'a', operator: 'NotIn', values: ['b'] }]),
      ),
      'resource.labelSelector.matchExpressions[0]: operator "NotIn" cannot be converted into the old label selector format',
    ],
    [
      'an In expression with two values',
      edit(
        inferenceV1beta1(),
        (d) =>
          (d.resource.labelSelector.matchExpressions = [{ key: 'a', operator: 'In', values: ['b', 'c'] }]),
      ),
      'operator "In" without a single value cannot be converted',
    ],
    [
      'only Kaito-reserved labels',
      edit(
        inferenceV1beta1(),
        (d) => (d.resource.labelSelector = { matchLabels: { 'kaito.sh/workspace': 'other' } }),
      ),
      'resource.labelSelector.matchLabels: matchLabels must contain at least one non-reserved label',
    ],
    [
      'tuning on several nodes',
      edit(tuningV1beta1(), (d) => (d.resource.count = 2)),
      'resource.count: Tuning does not currently support multinode configurations. Please set the node count to 1.',
    ],
    // Inference
    [
      'neither preset nor template',
      edit(inferenceV1beta1(), (d) => (d.inference = { config: '' })),
      'inference: Preset or Template must be specified',
    ],
    [
      'both preset and template',
      edit(inferenceV1beta1(), (d) => (d.inference.template = { spec: {} })),
      'inference: Preset and Template cannot be set at the same time',
    ],
    [
      'an empty preset name',
      edit(inferenceV1beta1(), (d) => (d.inference.preset.name = ' ')),
      'inference.preset.name: must not be empty',
    ],
    [
      'v1alpha1 private access mode without an image',
      edit(inferenceV1alpha1(), (d) => (d.inference.preset.accessMode = 'private')),
      'inference.preset.presetOptions.image: When AccessMode is private, an image must be provided in PresetOptions',
    ],
    [
      'a placeholder preset image',
      edit(inferenceV1alpha1(), (d) => {
        d.inference.preset = {
          name: 'llama-2-7b',
          accessMode: 'private',
          presetOptions: { image: '<YOUR IMAGE URL>' },
        };
      }),
      'inference.preset.presetOptions.image: must be a full image reference: "<YOUR IMAGE URL>" looks like a placeholder',
    ],
    [
      'a bad image pull secret name',
      edit(
        inferenceV1beta1(),
        (d) => (d.inference.preset.presetOptions = { imagePullSecrets: ['ACR_SECRET'] }),
      ),
      'inference.preset.presetOptions.imagePullSecrets[0]: "ACR_SECRET" is not a valid Secret name',
    ],
    [
      'eleven adapters',
      edit(
        inferenceV1beta1(),
        withAdapters(...Array.from({ length: 11 }, (_, i) => adapter({ name: `a${i}`, image }))),
      ),
      'inference.adapters: Number of Adapters exceeds the maximum limit, maximum of 10 allowed',
    ],
    [
      'duplicate adapter names',
      edit(inferenceV1beta1(), withAdapters(adapter({ name: 'a', image }), adapter({ name: 'a', image }))),
      'inference.adapters[1].source.name: Duplicate adapter source name found: a',
    ],
    [
      'an adapter without a name',
      edit(inferenceV1beta1(), withAdapters(adapter({ image }))),
      'inference.adapters[0].source.name: Name of Adapter field must be specified',
    ],
    [
      'an adapter name that is not a DNS subdomain',
      edit(inferenceV1beta1(), withAdapters(adapter({ name: 'My_Adapter', image }))),
      'inference.adapters[0].source.name: "My_Adapter": a lowercase RFC 1123 subdomain',
    ],
    [
      'an adapter without image or volume',
      edit(inferenceV1beta1(), withAdapters(adapter({ name: 'a' }))),
      'inference.adapters[0].source: Either Image or Volume must be specified for adapter source',
    ],
    [
      'an adapter with both image and volume',
      edit(inferenceV1beta1(), withAdapters(adapter({ name: 'a', image, volumeSource: { emptyDir: {} } }))),
      'Either Image or Volume must be specified for adapter source, not both',
    ],
    [
      'an adapter from URLs',
      edit(inferenceV1beta1(), withAdapters(adapter({ name: 'a', image, urls: ['https://example.com/a'] }))),
      'inference.adapters[0].source.urls: URLs are not supported as adapter source',
    ],
    [
      'an adapter image with upper case',
      edit(inferenceV1beta1(), withAdapters(adapter({ name: 'a', image: 'myacr.azurecr.io/Adapter:1' }))),
      'inference.adapters[0].source.image: Unable to parse input image reference: invalid reference format: repository name (Adapter) must be lowercase',
    ],
    [
      'strength above 1',
      edit(
        inferenceV1beta1(),
        withAdapters(adapter({ name: 'a', image }), adapter({ name: 'b', image }, '1.7')),
      ),
      'inference.adapters[1].strength: "1.7" must be between 0 and 1',
    ],
    [
      'a negative strength',
      edit(inferenceV1beta1(), withAdapters(adapter({ name: 'a', image }, '-0.1'))),
      '"-0.1" must be between 0 and 1',
    ],
    [
      'a strength that is no number',
      edit(inferenceV1beta1(), withAdapters(adapter({ name: 'a', image }, 'NaN'))),
      `inference.adapters[0].strength: Invalid strength value for Adapter 'a': "NaN" is not a decimal number`,
    ],
    // Tuning
    [
      'an unknown tuning method',
      edit(tuningV1beta1(), (d) => (d.tuning.method = 'full')),
      'tuning.method: invalid value "full": supported methods are lora, qlora',
    ],
    [
      'tuning input with URLs and an image',
      edit(tuningV1beta1(), (d) => (d.tuning.input.image = 'myacr.azurecr.io/data:1')),
      'tuning.input: Exactly one of URLs, Volume, or Image must be specified',
    ],
    [
      'tuning input with nothing',
      edit(tuningV1beta1(), (d) => (d.tuning.input = { name: 'x' })),
      'tuning.input: Exactly one of URLs, Volume, or Image must be specified',
    ],
    [
      'tuning output with image and volume',
      edit(tuningV1beta1(), (d) => (d.tuning.output.volumeSource = { emptyDir: {} })),
      'tuning.output: Exactly one of Volume or Image must be specified',
    ],
    [
      'an output image without a push secret',
      edit(tuningV1beta1(), (d) => delete d.tuning.output.imagePushSecret),
      'tuning.output.imagePushSecret: Must specify imagePushSecret with destination image',
    ],
    [
      'a placeholder output image',
      edit(
        tuningV1beta1(),
        (d) => (d.tuning.output.image = 'ACR_REPO_HERE.azurecr.io/IMAGE_NAME_HERE:0.0.1'),
      ),
      'tuning.output.image: Unable to parse output image reference: "ACR_REPO_HERE.azurecr.io/IMAGE_NAME_HERE:0.0.1" looks like a placeholder',
    ],
    [
      'a bad input image',
      edit(tuningV1beta1(), (d) => (d.tuning.input = { image: 'registry.io/data:::1' })),
      'tuning.input.image: Unable to parse input image reference: invalid reference format',
    ],
    [
      'a file:// data URL',
      edit(tuningV1beta1(), (d) => (d.tuning.input.urls = ['file:///etc/passwd'])),
      'tuning.input.urls[0]: "file:///etc/passwd": data source URL must use HTTP or HTTPS',
    ],
    [
      'a metadata-service data URL',
      edit(tuningV1beta1(), (d) => (d.tuning.input.urls = ['http://169.254.169.254/latest/meta-data/'])),
      'data source URL must not target a loopback, private, or link-local address',
    ],
    [
      'a localhost data URL',
      edit(tuningV1beta1(), (d) => (d.tuning.input.urls = ['http://localhost:8080/x'])),
      'data source URL must not target a local or metadata endpoint',
    ],
  ])('%s', (_, doc, expected) => {
    const result = load(doc);
    expect(result.workspaces).toEqual([]);
    expect(problemsOf(result)).toContainEqual(expect.stringContaining(expected));
  });
});

describe('all problems of a spec at once', () => {
  it('reports structural and rule problems together, each once', () => {
    const doc = edit(inferenceV1beta1(), (d) => {
      d.resource.count = 'two';
      d.resource.instancetype = 'x';
      d.inference.adapters = [adapter({ name: 'a', image }, '1.7'), adapter({ name: 'a' })];
      d.metadata.annotations = { 'kaito.sh/runtime': 'tgi' };
    });
    expect(problemsOf(load(doc))).toEqual([
      'resource.count: must be an integer >= 1, got "two"',
      'resource.instancetype: unknown field; did you mean "instanceType"?',
      'metadata.annotations["kaito.sh/runtime"]: unsupported runtime "tgi", supported values are transformers, vllm',
      'inference.adapters[0].strength: "1.7" must be between 0 and 1',
      'inference.adapters[1].source: Either Image or Volume must be specified for adapter source',
      'inference.adapters[1].source.name: Duplicate adapter source name found: a',
    ]);
  });

  it('does not repeat a rule about a field whose type is already wrong', () => {
    const doc = edit(inferenceV1beta1(), (d) => (d.resource.labelSelector = 'apps=phi'));
    expect(problemsOf(load(doc))).toEqual(['resource.labelSelector: must be an object, got "apps=phi"']);
  });

  it('does not claim inference is missing when it has the wrong type', () => {
    const doc = edit(inferenceV1beta1(), (d) => (d.inference = ['preset']));
    expect(problemsOf(load(doc))).toEqual(['inference: must be an object, got a list']);
  });
});
