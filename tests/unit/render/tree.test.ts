import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { inventoryOf, mergeTree, renderTree, type Tree } from '../../../src/render/index.ts';
import { synthesize, synthesizeAll } from '../../../src/synth/index.ts';
import type { WorkspaceManifests } from '../../../src/synth/types.ts';
import { configMap, mixedPlans, mixedSourceObjects, presetPlan, tuningPlan } from '../../support/plans.ts';

const manifests = (n = 10): WorkspaceManifests[] =>
  synthesizeAll(mixedPlans(n), mixedSourceObjects(n)).workspaces;

function changedPaths(a: Tree, b: Tree): string[] {
  const paths = new Set([...a.keys(), ...b.keys()]);
  return [...paths].filter((p) => a.get(p) !== b.get(p)).sort();
}

describe('renderTree: layout', () => {
  const tree = renderTree([
    synthesize(presetPlan({ namespace: 'ml', config: 'cfg' }), { passThrough: [configMap('cfg', 'ml')] }),
  ]);

  it('writes one object per file under workspaces/<namespace>/<name>, plus the root files', () => {
    expect([...tree.keys()]).toEqual([
      'inventory.json',
      'kustomization.yaml',
      'shards/ml/kustomization.yaml',
      'workspaces/ml/phi-3/configmap-cfg.yaml',
      'workspaces/ml/phi-3/deployment-phi-3.yaml',
      'workspaces/ml/phi-3/kustomization.yaml',
      'workspaces/ml/phi-3/service-phi-3.yaml',
      'workspaces/ml/phi-3/workspace-phi-3.yaml',
    ]);
    expect(YAML.parse(tree.get('workspaces/ml/phi-3/service-phi-3.yaml')!)).toMatchObject({
      kind: 'Service',
      metadata: { name: 'phi-3' },
    });
  });

  it('gives each directory a kustomization with its files in synthesis order (no labels: every object has them)', () => {
    expect(tree.get('workspaces/ml/phi-3/kustomization.yaml')).toBe(
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        '  - workspace-phi-3.yaml',
        '  - configmap-cfg.yaml',
        '  - service-phi-3.yaml',
        '  - deployment-phi-3.yaml',
        '',
      ].join('\n'),
    );
  });

  it('lists every shard in the root kustomization, and every workspace directory in its shard', () => {
    const tree12 = renderTree(manifests(12));
    const root = YAML.parse(tree12.get('kustomization.yaml')!) as { resources: string[] };
    expect(root.resources).toHaveLength(10); // one shard per namespace: ten teams, none too big
    expect(root.resources).toEqual([...root.resources].sort());
    expect(root.resources[0]).toBe('shards/team-0');
    expect(YAML.parse(tree12.get('shards/team-0/kustomization.yaml')!)).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['../../workspaces/team-0/ws-00000', '../../workspaces/team-0/ws-00010'],
    });
    expect(inventoryOf(tree12).files).toEqual(root.resources.map((dir) => `${dir}/kustomization.yaml`));
  });

  it('records every generated path and the source file in inventory.json', () => {
    const inventory = inventoryOf(tree);
    expect(inventory.workspaces).toEqual([
      {
        namespace: 'ml',
        name: 'phi-3',
        source: 'workspaces/phi-3.yaml',
        shard: 'ml',
        files: [
          'workspaces/ml/phi-3/kustomization.yaml',
          'workspaces/ml/phi-3/workspace-phi-3.yaml',
          'workspaces/ml/phi-3/configmap-cfg.yaml',
          'workspaces/ml/phi-3/service-phi-3.yaml',
          'workspaces/ml/phi-3/deployment-phi-3.yaml',
        ],
      },
    ]);
  });

  it('renders an empty source as an empty kustomization', () => {
    expect(renderTree([]).get('kustomization.yaml')).toBe(
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n',
    );
  });
});

describe('renderTree: stability', () => {
  it('gives identical bytes when rendered twice', () => {
    const first = renderTree(manifests(30));
    const second = renderTree(manifests(30));
    expect(changedPaths(first, second)).toEqual([]);
  });

  it('changes only the changed workspace file when one plan changes', () => {
    const plans = mixedPlans(10);
    const before = renderTree(synthesizeAll(plans, mixedSourceObjects(10)).workspaces);
    const changed = plans.map((plan) =>
      plan.workspace.name === 'ws-00005' ? { ...plan, gpusPerNode: 4 } : plan,
    );
    const after = renderTree(synthesizeAll(changed, mixedSourceObjects(10)).workspaces);
    expect(changedPaths(before, after)).toEqual(['workspaces/team-5/ws-00005/deployment-ws-00005.yaml']);
  });

  it('touches the root and shard kustomizations and the inventory only when workspaces come or go', () => {
    const before = renderTree(manifests(5));
    const after = renderTree(manifests(6));
    expect(changedPaths(before, after)).toEqual(
      [
        'inventory.json',
        'kustomization.yaml',
        'shards/team-5/kustomization.yaml',
        'workspaces/team-5/ws-00005/deployment-ws-00005.yaml',
        'workspaces/team-5/ws-00005/kustomization.yaml',
        'workspaces/team-5/ws-00005/configmap-ws-00005-config.yaml',
        'workspaces/team-5/ws-00005/service-ws-00005.yaml',
        'workspaces/team-5/ws-00005/workspace-ws-00005.yaml',
      ].sort(),
    );
  });
});

describe('renderTree: paths stay inside the root', () => {
  const one = (change: (m: WorkspaceManifests) => void): WorkspaceManifests => {
    const m = synthesize(presetPlan());
    change(m);
    return m;
  };

  it.each([
    ['a namespace with ..', one((m) => (m.namespace = '..'))],
    ['a name with a slash', one((m) => (m.name = 'a/b'))],
    ['an object name with ..', one((m) => (m.objects[1]!.metadata.name = '../../etc'))],
    ['an uppercase name', one((m) => (m.name = 'Phi'))],
    ['a kind that is not a word', one((m) => (m.objects[1]!.kind = 'Service/../x'))],
  ])('refuses %s', (_name, workspace) => {
    expect(() => renderTree([workspace])).toThrow(/refusing/);
  });

  it('refuses an object outside the workspace namespace and two objects in one file', () => {
    expect(() => renderTree([one((m) => (m.objects[1]!.metadata.namespace = 'other'))])).toThrow(
      /not in the namespace/,
    );
    expect(() => renderTree([one((m) => m.objects.push(m.objects[1]!))])).toThrow(/map to/);
  });

  it('refuses the same workspace twice', () => {
    const m = synthesize(presetPlan());
    expect(() => renderTree([m, m])).toThrow(/appears twice/);
  });
});

describe('mergeTree', () => {
  const a = presetPlan({ name: 'a', config: 'shared' });
  const b = presetPlan({ name: 'b', config: 'shared' });
  const c = tuningPlan({ name: 'c' });
  const all = synthesizeAll([a, b, c], [configMap('shared')]);
  const previous = renderTree(all.workspaces);

  it('keeps a failed workspace byte for byte and drops a removed one', () => {
    // This run: `a` failed (kept), `c` was deleted, `b` renders (and now carries the shared ConfigMap).
    const next = renderTree(synthesizeAll([b], [configMap('shared')]).workspaces);
    const { tree, conflicts } = mergeTree(previous, next, { keep: [{ namespace: 'default', name: 'a' }] });
    for (const path of inventoryOf(previous).workspaces.find((w) => w.name === 'a')!.files) {
      expect(tree.get(path)).toBe(previous.get(path));
    }
    expect([...tree.keys()].some((p) => p.startsWith('workspaces/default/c/'))).toBe(false);
    expect(inventoryOf(tree).workspaces.map((w) => w.name)).toEqual(['a', 'b']);
    expect(YAML.parse(tree.get('kustomization.yaml')!).resources).toEqual(['shards/default']);
    expect(YAML.parse(tree.get('shards/default/kustomization.yaml')!).resources).toEqual([
      '../../workspaces/default/a',
      '../../workspaces/default/b',
    ]);
    // The shared ConfigMap stays with the kept `a`; `b`'s copy is dropped so Kustomize sees it once.
    expect(conflicts).toEqual([
      {
        workspace: { namespace: 'default', name: 'b' },
        path: 'workspaces/default/b/configmap-shared.yaml',
        keptBy: expect.objectContaining({ namespace: 'default', name: 'a' }),
      },
    ]);
    expect(tree.has('workspaces/default/b/configmap-shared.yaml')).toBe(false);
    expect(YAML.parse(tree.get('workspaces/default/b/kustomization.yaml')!).resources).toEqual([
      'workspace-b.yaml',
      'service-b.yaml',
      'deployment-b.yaml',
    ]);
  });

  it('is the next tree itself when nothing failed', () => {
    const next = renderTree(synthesizeAll([a, b], [configMap('shared')]).workspaces);
    const { tree, conflicts } = mergeTree(previous, next, { keep: [] });
    expect(changedPaths(tree, next)).toEqual([]);
    expect(conflicts).toEqual([]);
  });

  it('keeps nothing for a failed workspace that never rendered before', () => {
    const next = renderTree(synthesizeAll([b], []).workspaces);
    const { tree } = mergeTree(renderTree([]), next, { keep: [{ namespace: 'default', name: 'a' }] });
    expect(inventoryOf(tree).workspaces.map((w) => w.name)).toEqual(['b']);
  });

  it('starts from an empty previous tree on a first run', () => {
    const next = renderTree(all.workspaces);
    expect(changedPaths(mergeTree(new Map(), next, { keep: [] }).tree, next)).toEqual([]);
  });
});
