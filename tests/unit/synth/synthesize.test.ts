import { describe, expect, it } from 'vitest';
import { SpecError } from '../../../src/errors.ts';
import { emitYaml } from '../../../src/render/yaml.ts';
import { synthesize, synthesizeAll } from '../../../src/synth/index.ts';
import { find, kinds, mainContainer } from '../../support/manifests.ts';
import {
  configMap,
  mixedPlans,
  mixedSourceObjects,
  presetPlan,
  pvc,
  tuningPlan,
} from '../../support/plans.ts';

const bytes = (list: { objects: unknown[] }[]) =>
  list.map((m) => m.objects.map(emitYaml).join('---\n')).join('===\n');

describe('synthesize', () => {
  it('orders objects Workspace, ConfigMaps, PVCs, Services, workload', () => {
    const plan = presetPlan({
      nodes: 2,
      config: 'cfg',
      adapters: [
        { source: { name: 'a', volumeSource: { persistentVolumeClaim: { claimName: 'adapters' } } } },
      ],
    });
    const manifests = synthesize(plan, { passThrough: [pvc('adapters'), configMap('cfg')] });
    expect(kinds(manifests)).toEqual([
      'Workspace/phi-3',
      'ConfigMap/cfg',
      'PersistentVolumeClaim/adapters',
      'Service/phi-3',
      'Service/phi-3-headless',
      'StatefulSet/phi-3',
    ]);
    expect(manifests).toMatchObject({ namespace: 'default', name: 'phi-3', source: 'workspaces/phi-3.yaml' });
  });

  it('gives the same bytes twice', () => {
    const first = synthesizeAll(mixedPlans(25), mixedSourceObjects(25));
    const second = synthesizeAll(mixedPlans(25), mixedSourceObjects(25));
    expect(bytes(second.workspaces)).toBe(bytes(first.workspaces));
  });

  it('does not depend on the order plans come in', () => {
    const plans = mixedPlans(20);
    const forward = synthesizeAll(plans, mixedSourceObjects(20));
    const backward = synthesizeAll([...plans].reverse(), [...mixedSourceObjects(20)].reverse());
    expect(bytes(backward.workspaces)).toBe(bytes(forward.workspaces));
  });

  it('keeps nvidia.com/gpu in every GPU workload it renders', () => {
    const result = synthesizeAll(mixedPlans(5), mixedSourceObjects(5));
    expect(result.workspaces).toHaveLength(5);
    for (const workspace of result.workspaces) {
      const resources = mainContainer(workspace).resources;
      expect(resources?.limits?.['nvidia.com/gpu']).toBeDefined();
      expect(workspace.objects.map(emitYaml).join('')).toMatch(/nvidia\.com\/gpu: "?\d+"?/);
    }
  });

  it('throws a plain Error for a plan without GPUs (a catalog bug, not a user mistake)', () => {
    const plan = { ...presetPlan(), gpusPerNode: 0 };
    expect(() => synthesize(plan)).toThrow(/gpusPerNode 0/);
    expect(() => synthesize(plan)).not.toThrow(SpecError);
  });
});

describe('synthesizeAll', () => {
  it('fails a Workspace whose generated objects another one already generates, keeping the first', () => {
    const foo = presetPlan({ name: 'foo', nodes: 2, file: 'a.yaml' });
    const clash = presetPlan({ name: 'foo-headless', file: 'b.yaml' });
    const result = synthesizeAll([clash, foo], []);
    expect(result.workspaces.map((w) => w.name)).toEqual(['foo']);
    expect(result.failures).toHaveLength(1);
    const failure = result.failures[0]!;
    expect(failure).toMatchObject({ namespace: 'default', name: 'foo-headless', source: { file: 'b.yaml' } });
    expect(failure.error.file).toBe('b.yaml');
    expect(failure.error.message).toContain(
      'generates Service "default/foo-headless", which Workspace "default/foo" (a.yaml) generates too',
    );
  });

  it('lets a running Workspace keep its names: the new one is refused, whatever the name order', () => {
    const foo = presetPlan({ name: 'foo', nodes: 2, file: 'a.yaml' });
    const running = presetPlan({ name: 'foo-headless', file: 'b.yaml' });
    const result = synthesizeAll([foo, running], [], { running: new Set(['default/foo-headless']) });
    expect(result.workspaces.map((w) => w.name)).toEqual(['foo-headless']);
    expect(result.failures.map((f) => f.name)).toEqual(['foo']);
    expect(result.failures[0]!.error.message).toContain(
      'generates Service "default/foo-headless", which Workspace "default/foo-headless" (b.yaml) generates too',
    );
  });

  it('reports spec problems per Workspace and renders the others', () => {
    const bad = presetPlan({ name: 'bad', adapters: [{ source: { name: 'bad', image: 'x/y:1' } }] });
    const result = synthesizeAll([bad, tuningPlan()], []);
    expect(result.workspaces.map((w) => w.name)).toEqual(['tuning-phi-3']);
    expect(result.failures.map((f) => f.name)).toEqual(['bad']);
    expect(result.failures[0]!.error).toBeInstanceOf(SpecError);
  });

  it('gives a shared ConfigMap to the first Workspace that rendered, not to one that failed', () => {
    const failing = presetPlan({
      name: 'a',
      config: 'shared',
      adapters: [{ source: { name: 'a', image: 'x/y:1' } }],
    });
    const ok = presetPlan({ name: 'b', config: 'shared' });
    const result = synthesizeAll([failing, ok], [configMap('shared'), configMap('orphan')]);
    expect(kinds(result.workspaces[0]!)).toContain('ConfigMap/shared');
    expect(find(result.workspaces[0]!, 'ConfigMap', 'shared').metadata.labels).toHaveProperty(
      ['kaito.sh/workspace'],
      'b',
    );
    expect(result.unreferenced.map((o) => o.metadata.name)).toEqual(['orphan']);
  });

  it('sorts workspaces by namespace, then name', () => {
    const result = synthesizeAll(
      [
        presetPlan({ name: 'b', namespace: 'x' }),
        presetPlan({ name: 'z', namespace: 'a' }),
        presetPlan({ name: 'a', namespace: 'x' }),
      ],
      [],
    );
    expect(result.workspaces.map((w) => `${w.namespace}/${w.name}`)).toEqual(['a/z', 'x/a', 'x/b']);
  });
});
