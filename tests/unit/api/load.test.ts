import { describe, expect, it } from 'vitest';
import { loadSources, MAX_FILE_BYTES } from '../../../src/api/index.ts';
import { configMap, edit, inferenceV1beta1, load, problemsOf, tuningV1beta1, yamlOf } from './fixtures.ts';

const one = (content: string) => loadSources([{ path: 'ws.yaml', content }]);

describe('loadSources: multi-document files', () => {
  it('returns Workspaces, passes other objects through, and skips empty documents', () => {
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { resources: {} },
    };
    const result = one(`---\n${yamlOf(pvc)}---\n# nothing here\n---\n${yamlOf(inferenceV1beta1())}`);
    expect(result.failures).toEqual([]);
    expect(result.workspaces.map((w) => [w.name, w.source])).toEqual([
      ['workspace-phi-4-mini', { file: 'ws.yaml', index: 2 }],
    ]);
    expect(result.objects).toEqual([pvc]);
  });

  it('keeps a good document when another document of the same file fails', () => {
    const bad = edit(inferenceV1beta1(), (d) => {
      d.metadata.name = 'broken';
      d.resource.count = 0;
    });
    const result = load(inferenceV1beta1(), bad);
    expect(result.workspaces.map((w) => w.name)).toEqual(['workspace-phi-4-mini']);
    expect(result.failures).toEqual([
      {
        file: 'workspaces/test.yaml',
        index: 1,
        kind: 'Workspace',
        namespace: 'default',
        name: 'broken',
        problems: [{ path: 'resource.count', message: 'must be an integer >= 1, got 0' }],
      },
    ]);
  });
});

describe('loadSources: unsafe or broken YAML', () => {
  it.each<[string, string, string]>([
    [
      'a syntax error, with line and column',
      'apiVersion: kaito.sh/v1beta1\nkind: [Workspace\n',
      'line 3, column 1:',
    ],
    [
      'duplicate keys',
      'apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: a}\n',
      'line 3, column 1: Map keys must be unique',
    ],
    ['a list document', '- a\n- b\n', 'a document must be a mapping (a Kubernetes object), got a list'],
    [
      'a scalar document',
      'just text\n',
      'a document must be a mapping (a Kubernetes object), got "just text"',
    ],
    [
      'a missing apiVersion',
      'kind: Workspace\nmetadata: {name: a}\n',
      'apiVersion: required field is missing',
    ],
    ['a missing kind', 'apiVersion: v1\nmetadata: {name: a}\n', 'kind: required field is missing'],
    [
      'a missing metadata',
      'apiVersion: v1\nkind: ConfigMap\n',
      'metadata: required field is missing; every object needs metadata.name',
    ],
    [
      'a missing name',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: a}\n',
      'metadata.name: required field is missing',
    ],
    [
      'a numeric name',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 12}\n',
      'metadata.name: must be a string, got 12',
    ],
  ])('%s', (_, content, expected) => {
    const result = one(content);
    expect(result.workspaces).toEqual([]);
    expect(problemsOf(result)).toContainEqual(expect.stringContaining(expected));
  });

  it('refuses an alias bomb without expanding it', () => {
    let bomb =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++)
      bomb += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    const result = one(bomb);
    expect(problemsOf(result)).toEqual([
      'too many alias expansions (more than 100): the document looks like a YAML alias bomb; write the values out instead of nesting aliases',
    ]);
  });

  it('accepts merge keys, as Kubernetes does', () => {
    const content =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nbase: &b {x: "1"}\ndata:\n  <<: *b\n';
    expect(one(content).objects).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, base: { x: '1' }, data: { x: '1' } },
    ]);
  });

  it('refuses a file over the size limit as a whole', () => {
    const content = `# ${'x'.repeat(MAX_FILE_BYTES)}\n`;
    expect(one(content).failures).toEqual([
      {
        file: 'ws.yaml',
        problems: [
          {
            path: '',
            message: `file is ${MAX_FILE_BYTES + 3} bytes (1.00 MiB), larger than the ${MAX_FILE_BYTES}-byte (1 MiB) limit for a source file; split it into smaller files`,
          },
        ],
      },
    ]);
  });

  it('names the Workspace of a document with a syntax error when it can', () => {
    const content =
      'apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata:\n  name: phi\n  namespace: models\nresource: {a: 1, a: 2}\n';
    const [failure] = one(content).failures;
    expect(failure).toMatchObject({ kind: 'Workspace', namespace: 'models', name: 'phi', index: 0 });
  });
});

describe('loadSources: kinds and versions', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'kaito.sh/v1',
      edit(inferenceV1beta1(), (d) => (d.apiVersion = 'kaito.sh/v1')),
      'apiVersion: unsupported apiVersion "kaito.sh/v1" for kind Workspace; use kaito.sh/v1alpha1 or kaito.sh/v1beta1',
    ],
    [
      'a lower-case kind',
      edit(inferenceV1beta1(), (d) => (d.kind = 'workspace')),
      'kind: kind "workspace" of kaito.sh is not supported; did you mean "Workspace"?',
    ],
    [
      'another Kaito kind',
      edit(inferenceV1beta1(), (d) => (d.kind = 'RAGEngine')),
      'kind: kind "RAGEngine" of kaito.sh is not supported; kaito-gitops handles only Workspace',
    ],
  ])('refuses %s', (_, doc, expected) => {
    expect(problemsOf(load(doc))).toEqual([expected]);
  });

  it('passes through a Workspace of another API group', () => {
    const other = {
      apiVersion: 'app.terraform.io/v1alpha2',
      kind: 'Workspace',
      metadata: { name: 'tf' },
      spec: {},
    };
    const result = load(other);
    expect(result.failures).toEqual([]);
    expect(result.objects).toEqual([other]);
  });
});

describe('loadSources: Secrets', () => {
  const secret = (extra: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'hf-token' },
    ...extra,
  });
  it.each([
    ['data', { data: { HF_TOKEN: 'aGY=' } }],
    ['stringData', { stringData: { HF_TOKEN: 'hf' } }],
  ])('refuses a plain Secret with %s and says what to use', (key, extra) => {
    expect(problemsOf(load(secret(extra)))).toEqual([
      `${key}: a plain Secret must not be committed: git keeps its values readable for ever (data is only base64-encoded); encrypt it with SOPS, or use Sealed Secrets or External Secrets instead`,
    ]);
  });

  it('accepts a SOPS-encrypted Secret and a Secret without values', () => {
    const sops = secret({ data: { HF_TOKEN: 'ENC[AES256_GCM,data:abc]' }, sops: { version: '3.8.1' } });
    const empty = secret({ type: 'Opaque' });
    expect(
      load(
        sops,
        edit(empty, (d) => (d.metadata.name = 'other')),
      ).failures,
    ).toEqual([]);
  });
});

describe('loadSources: names and duplicates', () => {
  it.each(['../x', 'a/b', '..', 'UPPER'])('refuses the object name %j', (name) => {
    const result = load(configMap(name, {}));
    expect(result.objects).toEqual([]);
    expect(problemsOf(result)[0]).toMatch(/^metadata\.name: /);
  });

  it('refuses the same Workspace defined in two files, naming both places', () => {
    const content = yamlOf(inferenceV1beta1());
    const result = loadSources([
      { path: 'a.yaml', content },
      { path: 'b.yaml', content },
    ]);
    expect(result.workspaces).toEqual([]);
    expect(problemsOf(result)).toEqual([
      'metadata.name: Workspace default/workspace-phi-4-mini is also defined in b.yaml (document 1); keep one definition',
      'metadata.name: Workspace default/workspace-phi-4-mini is also defined in a.yaml (document 1); keep one definition',
    ]);
  });

  it('treats a missing namespace as default when looking for duplicates', () => {
    const result = load(configMap('cfg', {}), configMap('cfg', {}, 'default'), configMap('cfg', {}, 'other'));
    expect(result.objects).toEqual([configMap('cfg', {}, 'other')]);
    expect(result.failures.map((f) => f.index)).toEqual([0, 1]);
  });

  it('refuses ConfigMap data that is not text', () => {
    const bad = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { 'max-len': 4096 } };
    expect(problemsOf(load(bad))).toEqual([
      'data.max-len: must be a string, got 4096; put the value in quotes',
    ]);
  });

  it('resolves a ConfigMap from another file of the source', () => {
    const ws = edit(inferenceV1beta1(), (d) => (d.inference.config = 'params'));
    const result = loadSources([
      { path: 'ws.yaml', content: yamlOf(ws) },
      {
        path: 'cm.yaml',
        content: yamlOf(configMap('params', { 'inference_config.yaml': 'vllm:\n  max-model-len: 4096\n' })),
      },
    ]);
    expect(result.failures).toEqual([]);
    expect(result.workspaces).toHaveLength(1);
  });

  it('loads tuning Workspaces with their method lower-cased', () => {
    const result = load(edit(tuningV1beta1(), (d) => (d.tuning.method = 'LoRA')));
    expect(result.workspaces[0]?.tuning?.method).toBe('lora');
    expect(result.workspaces[0]?.document.tuning?.method).toBe('LoRA');
  });
});
