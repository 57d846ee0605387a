import { beforeAll, describe, expect, it } from 'vitest';
import { readCatalog, type Catalog } from '../../src/catalog/index.ts';
import { hydrate, type SourceFile } from '../../src/pipeline.ts';
import type { Tree } from '../../src/render/index.ts';

const phi3 = (name: string, instanceType = 'Standard_NC6s_v3') => `apiVersion: kaito.sh/v1alpha1
kind: Workspace
metadata:
  name: ${name}
resource:
  instanceType: ${instanceType}
  labelSelector:
    matchLabels:
      apps: ${name}
inference:
  preset:
    name: phi-3-mini-4k-instruct
`;

const llama = `apiVersion: v1
kind: ConfigMap
metadata:
  name: llama-params
  namespace: models
data:
  inference_config.yaml: |
    vllm:
      max-model-len: 16384
---
apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: llama
  namespace: models
resource:
  instanceType: Standard_NC48ads_A100_v4
  labelSelector:
    matchLabels:
      apps: llama
inference:
  preset:
    name: llama-3.3-70b-instruct
    presetOptions:
      modelAccessSecret: hf-token
  config: llama-params
`;

const dirOf = (namespace: string, name: string) => `workspaces/${namespace}/${name}/`;
const filesUnder = (tree: Tree, prefix: string) => [...tree.keys()].filter((path) => path.startsWith(prefix));
const changedPaths = (a: Tree, b: Tree) =>
  [...new Set([...a.keys(), ...b.keys()])].filter((path) => a.get(path) !== b.get(path)).sort();

let catalog: Catalog;
beforeAll(async () => {
  catalog = await readCatalog();
});

describe('hydrate', () => {
  const sources: SourceFile[] = [
    { path: 'a.yaml', content: phi3('alpha') },
    { path: 'b.yaml', content: phi3('beta') },
    { path: 'team/llama.yaml', content: llama },
  ];

  it('renders every valid spec with its referenced ConfigMap, byte for byte the same twice', () => {
    const first = hydrate(sources, { catalog });
    const second = hydrate(sources, { catalog });
    expect(first.errors).toEqual([]);
    expect([...first.tree]).toEqual([...second.tree]);
    expect(first.workspaces.map((w) => [`${w.namespace}/${w.name}`, w.status])).toEqual([
      ['default/alpha', 'rendered'],
      ['default/beta', 'rendered'],
      ['models/llama', 'rendered'],
    ]);
    expect(first.tree.has('workspaces/models/llama/configmap-llama-params.yaml')).toBe(true);
    expect(first.tree.get('workspaces/models/llama/statefulset-llama.yaml')).toContain('nvidia.com/gpu: "2"');
    expect(first.plans.map((p) => [p.workspace.name, p.nodes, p.multiNode])).toEqual([
      ['alpha', 1, false],
      ['beta', 1, false],
      ['llama', 2, true],
    ]);
  });

  it('changes only the files of the workspace whose spec changed', () => {
    const before = hydrate(sources, { catalog });
    const edited = sources.map((s) =>
      s.path === 'b.yaml' ? { ...s, content: phi3('beta', 'Standard_NC24ads_A100_v4') } : s,
    );
    const after = hydrate(edited, { catalog, previous: before.tree });
    const changed = changedPaths(before.tree, after.tree);
    expect(changed.length).toBeGreaterThan(0);
    expect(
      changed.every((path) => path.startsWith(dirOf('default', 'beta')) || path === 'inventory.json'),
    ).toBe(true);
    expect(after.workspaces.find((w) => w.name === 'alpha')?.status).toBe('unchanged');
    expect(after.workspaces.find((w) => w.name === 'beta')?.status).toBe('rendered');
  });

  it('keeps the last good files of a spec that breaks, and reports it with file and field', () => {
    const before = hydrate(sources, { catalog });
    const broken = sources.map((s) =>
      s.path === 'b.yaml' ? { ...s, content: phi3('beta').replace('phi-3-mini-4k-instruct', 'phi-5') } : s,
    );
    const after = hydrate(broken, { catalog, previous: before.tree });
    for (const path of filesUnder(before.tree, dirOf('default', 'beta'))) {
      expect(after.tree.get(path)).toBe(before.tree.get(path));
    }
    expect(after.workspaces.find((w) => w.name === 'beta')?.status).toBe('kept');
    expect(after.errors.map((e) => e.message)).toEqual([
      'b.yaml:12:5: Workspace default/beta: inference.preset.name: Unsupported inference preset name phi-5; did you mean phi-2, phi-4?',
    ]);
  });

  it('keeps what a file produced last time when the whole file cannot be read', () => {
    const before = hydrate(sources, { catalog });
    const garbled = sources.map((s) =>
      s.path === 'team/llama.yaml' ? { ...s, content: 'a: [unclosed' } : s,
    );
    const after = hydrate(garbled, { catalog, previous: before.tree });
    for (const path of filesUnder(before.tree, dirOf('models', 'llama'))) {
      expect(after.tree.get(path)).toBe(before.tree.get(path));
    }
    expect(after.errors[0]?.file).toBe('team/llama.yaml');
  });

  it('keeps the whole previous tree when a repository file beside the specs is broken', () => {
    const before = hydrate(sources, { catalog });
    const changed = sources.map((s) =>
      s.path === 'a.yaml' ? { ...s, content: phi3('alpha', 'Standard_NC12s_v3') } : s,
    );
    const repository = {
      dir: 'specs',
      files: [{ path: '.kaito-gitops/huggingface-models.yaml', content: 'huggingFaceModels: 3\n' }],
    };
    const after = hydrate(
      changed.filter((s) => s.path !== 'b.yaml'),
      {
        catalog,
        repository,
        previous: before.tree,
      },
    );
    expect(after.tree).toBe(before.tree);
    expect(after.workspaces.map((w) => [w.name, w.status])).toEqual(
      before.workspaces.map((w) => [w.name, 'kept']),
    );
    expect(after.errors.map((e) => e.message)).toEqual([
      'specs/.kaito-gitops/huggingface-models.yaml: huggingFaceModels: must be a list',
    ]);
  });

  it('pins no pod to per-Workspace node labels when the repository settings say the nodes are your own', () => {
    const settings = (content: string) => ({
      dir: 'specs',
      files: [{ path: '.kaito-gitops/settings.yaml', content }],
    });
    const provisioned = hydrate(sources, { catalog, repository: settings('nodes: provisioned\n') });
    const byo = hydrate(sources, { catalog, repository: settings('nodes: byo\n') });
    const workloads = (tree: Tree) =>
      [...tree].filter(([path]) => /\/(deployment|statefulset)-[^/]+\.yaml$/.test(path));
    expect(provisioned.tree).toEqual(hydrate(sources, { catalog }).tree);
    expect(changedPaths(provisioned.tree, byo.tree)).toEqual(
      workloads(provisioned.tree)
        .map(([p]) => p)
        .sort(),
    );
    for (const [path, text] of workloads(provisioned.tree)) {
      expect({ path, pinned: text.includes('- key: kaito.sh/workspace\n') }).toEqual({ path, pinned: true });
      const own = byo.tree.get(path) ?? '';
      expect({ path, pinned: own.includes('- key: kaito.sh/workspace') }).toEqual({ path, pinned: false });
      // Still placed by the Workspace's labelSelector.
      expect({ path, selected: own.includes('- key: apps\n') }).toEqual({ path, selected: true });
    }
  });

  it('keeps the whole previous tree when the repository settings hold a bad value', () => {
    const before = hydrate(sources, { catalog });
    const after = hydrate(sources, {
      catalog,
      repository: { dir: 'specs', files: [{ path: '.kaito-gitops/settings.yaml', content: 'nodes: own\n' }] },
      previous: before.tree,
    });
    expect(after.tree).toBe(before.tree);
    expect(after.errors.map((e) => e.message)).toEqual([
      'specs/.kaito-gitops/settings.yaml:1:1: nodes: must be "provisioned" or "byo", not "own": byo when the agent runs --provisioner byo, provisioned (the default) for nodeclaim or aks',
    ]);
  });

  it('removes the directory of a deleted spec', () => {
    const before = hydrate(sources, { catalog });
    const after = hydrate(
      sources.filter((s) => s.path !== 'a.yaml'),
      { catalog, previous: before.tree },
    );
    expect(filesUnder(after.tree, dirOf('default', 'alpha'))).toEqual([]);
    expect(after.workspaces.find((w) => w.name === 'alpha')?.status).toBe('removed');
    expect(after.tree.get('kustomization.yaml')).not.toContain('alpha');
  });

  it('stamps caller annotations on the Workspace object only', () => {
    const result = hydrate(sources, {
      catalog,
      annotate: ({ file }) => ({ 'kaito-gitops.io/source-path': file }),
    });
    expect(result.tree.get('workspaces/models/llama/workspace-llama.yaml')).toContain(
      'kaito-gitops.io/source-path: team/llama.yaml',
    );
    expect(result.tree.get('workspaces/models/llama/statefulset-llama.yaml')).not.toContain('source-path');
  });

  it('names the document of a refused object in a multi-document file', () => {
    const secret = `apiVersion: v1
kind: Secret
metadata:
  name: hf-token
data:
  HF_TOKEN: c2VjcmV0
---
${phi3('gamma')}`;
    const result = hydrate([{ path: 'c.yaml', content: secret }], { catalog });
    expect(result.plans.map((p) => p.workspace.name)).toEqual(['gamma']);
    expect(result.errors[0]?.message).toMatch(/^c\.yaml:5:1: document 1 \(Secret\): data: .*SOPS/);
  });

  it('warns about source objects no Workspace references', () => {
    const orphan = `apiVersion: v1
kind: ConfigMap
metadata:
  name: orphan
data:
  a: b
`;
    const result = hydrate([...sources, { path: 'orphan.yaml', content: orphan }], { catalog });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      expect.stringContaining('ConfigMap "default/orphan" is not referenced'),
    ]);
  });
});
