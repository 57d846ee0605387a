/**
 * "Removal only when the source says so", on the pure pipeline that every route shares: a workspace's
 * output goes only when its file is gone or that file is accepted whole and no longer defines it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/api/index.ts';
import { readCatalog, type Catalog } from '../../src/catalog/index.ts';
import { hydrate, type HydrateResult, type SourceFile } from '../../src/pipeline.ts';
import type { Tree } from '../../src/render/index.ts';
import { BREAKAGES } from '../support/broken-files.ts';

const spec = (name: string, preset = 'phi-3-mini-4k-instruct') => `apiVersion: kaito.sh/v1alpha1
kind: Workspace
metadata:
  name: ${name}
resource:
  instanceType: Standard_NC6s_v3
  labelSelector:
    matchLabels:
      apps: ${name}
inference:
  preset:
    name: ${preset}
`;

const file = (path: string, content: string | Uint8Array): SourceFile =>
  sourceFile(path, typeof content === 'string' ? Buffer.from(content) : content);

const filesOf = (tree: Tree, name: string) =>
  [...tree].filter(([path]) => path.startsWith(`workspaces/default/${name}/`));
const statusOf = (result: HydrateResult, name: string) =>
  result.workspaces.find((w) => w.name === name)?.status;

let catalog: Catalog;
let first: HydrateResult;
const good = [file('alpha.yaml', spec('alpha')), file('beta.yaml', spec('beta'))];
beforeAll(async () => {
  catalog = await readCatalog();
  first = hydrate(good, { catalog });
  expect(first.errors).toEqual([]);
});

describe('a broken file keeps everything it produced, byte for byte', () => {
  it.each(BREAKAGES)('%s', (_, breakIt) => {
    const broken = [file('alpha.yaml', breakIt(spec('alpha'), 'alpha')), good[1] as SourceFile];
    const result = hydrate(broken, { catalog, previous: first.tree });
    expect(filesOf(result.tree, 'alpha')).toEqual(filesOf(first.tree, 'alpha'));
    expect(filesOf(result.tree, 'alpha').length).toBeGreaterThan(2);
    expect(result.tree.get('kustomization.yaml')).toBe(first.tree.get('kustomization.yaml'));
    expect(statusOf(result, 'alpha')).toBe('kept');
    expect(statusOf(result, 'beta')).toBe('unchanged');
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors.every((e) => e.file === 'alpha.yaml' && e.problems.length > 0)).toBe(true);
  });

  it('a multi-document file with one broken document keeps all it produced, and renders what is new', () => {
    const both = `${spec('alpha')}---\n${spec('gamma')}`;
    const before = hydrate([file('all.yaml', both)], { catalog });
    const edited = [
      spec('alpha').replace('apps: alpha', 'apps: alpha-v2'),
      spec('gamma').replace('metadata:', 'metadata: ['),
      spec('epsilon'),
    ].join('---\n');
    const after = hydrate([file('all.yaml', edited)], { catalog, previous: before.tree });
    expect(statusOf(after, 'alpha')).toBe('kept');
    expect(statusOf(after, 'gamma')).toBe('kept');
    expect(statusOf(after, 'epsilon')).toBe('rendered');
    expect(filesOf(after.tree, 'alpha')).toEqual(filesOf(before.tree, 'alpha'));
    expect(filesOf(after.tree, 'gamma')).toEqual(filesOf(before.tree, 'gamma'));
  });

  it('keeps the output of a broken file even when another file now defines the workspace', () => {
    const result = hydrate(
      [
        file('alpha.yaml', 'metadata: ['),
        file('beta.yaml', `${spec('beta')}---\n${spec('alpha').replace('apps: alpha', 'apps: moved')}`),
      ],
      { catalog, previous: first.tree },
    );
    expect(statusOf(result, 'alpha')).toBe('kept');
    expect(filesOf(result.tree, 'alpha')).toEqual(filesOf(first.tree, 'alpha'));
    expect(result.errors.map((e) => e.message)).toContainEqual(
      expect.stringMatching(
        /^beta\.yaml:\d+:\d+: Workspace default\/alpha: metadata\.name: not rendered: the running output of this Workspace comes from alpha\.yaml, which has problems/,
      ),
    );
  });

  it('keeps a workspace whose failed document still names it, even from another file', () => {
    const moved = [file('beta.yaml', spec('beta')), file('moved.yaml', spec('alpha', 'phi-5'))];
    const result = hydrate(moved, { catalog, previous: first.tree });
    expect(statusOf(result, 'alpha')).toBe('kept');
    expect(result.workspaces.find((w) => w.name === 'alpha')?.file).toBe('moved.yaml');
  });
});

describe('the source says so', () => {
  it('removes the output of a deleted file', () => {
    const result = hydrate([good[1] as SourceFile], { catalog, previous: first.tree });
    expect(statusOf(result, 'alpha')).toBe('removed');
    expect(filesOf(result.tree, 'alpha')).toEqual([]);
    expect(result.errors).toEqual([]);
  });

  it('a rename inside a file that loads cleanly is a removal plus a new workspace', () => {
    const result = hydrate([file('alpha.yaml', spec('alpha-2')), good[1] as SourceFile], {
      catalog,
      previous: first.tree,
    });
    expect(statusOf(result, 'alpha')).toBe('removed');
    expect(statusOf(result, 'alpha-2')).toBe('rendered');
  });

  it('removes a workspace whose file loads cleanly and now holds something else', () => {
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  a: b\n';
    const result = hydrate([file('alpha.yaml', configMap), good[1] as SourceFile], {
      catalog,
      previous: first.tree,
    });
    expect(statusOf(result, 'alpha')).toBe('removed');
  });

  it('a renamed spec that fails keeps the old output: its file did not load cleanly', () => {
    const result = hydrate([file('alpha.yaml', spec('alpha-2', 'phi-5')), good[1] as SourceFile], {
      catalog,
      previous: first.tree,
    });
    expect(statusOf(result, 'alpha')).toBe('kept');
    expect(statusOf(result, 'alpha-2')).toBe('refused');
    expect(filesOf(result.tree, 'alpha')).toEqual(filesOf(first.tree, 'alpha'));
  });
});

describe('on a first render there is nothing to keep', () => {
  it('says refused, not kept, and writes nothing for the spec', () => {
    const result = hydrate([file('alpha.yaml', spec('alpha', 'phi-5'))], { catalog });
    expect(result.workspaces).toEqual([
      { namespace: 'default', name: 'alpha', file: 'alpha.yaml', status: 'refused' },
    ]);
    expect(filesOf(result.tree, 'alpha')).toEqual([]);
  });
});

describe('an empty source', () => {
  it('removes nothing and fails, naming the source and --allow-empty', () => {
    const result = hydrate([], { catalog, previous: first.tree, sourceName: 'gitops/workspaces' });
    expect([...result.tree]).toEqual([...first.tree]);
    expect(result.workspaces.map((w) => w.status)).toEqual(['kept', 'kept']);
    expect(result.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^gitops\/workspaces: holds no Workspace, .* all 2 workspaces .*--allow-empty$/),
    ]);
  });

  it('removes everything with allowEmpty', () => {
    const result = hydrate([], { catalog, previous: first.tree, allowEmpty: true });
    expect(result.errors).toEqual([]);
    expect(result.workspaces.map((w) => w.status)).toEqual(['removed', 'removed']);
    expect(result.tree.get('inventory.json')).toContain('"workspaces": []');
  });

  it('is no refusal on a first render', () => {
    expect(hydrate([], { catalog }).errors).toEqual([]);
  });
});

describe('every problem of a spec in one run', () => {
  it('reports an unknown preset together with the adapter problems, located and named', () => {
    const content = `apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: bad
  namespace: models
resource:
  labelSelector:
    matchLabels: {a: b}
inference:
  preset:
    name: phi-5
  adapters:
    - source: {name: x, image: "reg.io/a:1"}
    - source: {name: x, image: "reg.io/a:1"}
`;
    const [error, ...rest] = hydrate([{ path: 'bad.yaml', display: 'specs/bad.yaml', content }], {
      catalog,
    }).errors;
    expect(rest).toEqual([]);
    expect(error?.location).toEqual({
      file: 'specs/bad.yaml',
      document: 0,
      kind: 'Workspace',
      namespace: 'models',
      name: 'bad',
    });
    expect(error?.message.split('\n')).toEqual([
      'specs/bad.yaml:14:16: Workspace models/bad: inference.adapters[1].source.name: Duplicate adapter source name found: x',
      'specs/bad.yaml:11:5: Workspace models/bad: inference.preset.name: Unsupported inference preset name phi-5; did you mean phi-2, phi-4?',
    ]);
  });

  it('does not call a ConfigMap of a refused Workspace "not referenced"', () => {
    const content = `apiVersion: v1
kind: ConfigMap
metadata:
  name: params
data:
  inference_config.yaml: "vllm: {}"
---
${spec('alpha', 'phi-5').replace('    name: phi-5', '    name: phi-5\n  config: params')}`;
    const result = hydrate([file('a.yaml', content)], { catalog });
    expect(result.warnings).toEqual([
      'ConfigMap "default/params" is referenced only by Workspace "default/alpha", which is refused, so it is not rendered until that spec is fixed',
    ]);
  });
});
