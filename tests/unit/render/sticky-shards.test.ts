/**
 * Shards over a previous tree (render's mergeTree): a workspace stays in its shard, a shard directory
 * stays while anything may point at it, and Flux units, once written, follow every shard.
 */
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { inventoryOf, mergeTree, renderTree, type Tree, type TreeLayout } from '../../../src/render/index.ts';
import { synthesize } from '../../../src/synth/index.ts';
import { presetPlan } from '../../support/plans.ts';

const workspace = (namespace: string, name: string, gpus = 1) =>
  synthesize(presetPlan({ namespace, name, gpusPerNode: gpus }));
const names = (namespace: string, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `ws-${String(from + i).padStart(2, '0')}`).map((name) =>
    workspace(namespace, name),
  );
const CAPACITY: TreeLayout = { capacity: 3 };

/** One render over `previous`, as hydrate does it. */
const over = (previous: Tree, workspaces: ReturnType<typeof workspace>[], layout: TreeLayout = CAPACITY) =>
  mergeTree(previous, renderTree(workspaces, layout), { ...layout, keep: [] }).tree;

const changed = (a: Tree, b: Tree) =>
  [...new Set([...a.keys(), ...b.keys()])].filter((path) => a.get(path) !== b.get(path)).sort();
const shardOf = (tree: Tree) =>
  Object.fromEntries(inventoryOf(tree).workspaces.map((entry) => [entry.name, entry.shard]));
const listed = (tree: Tree, shard: string) =>
  (
    YAML.parse(tree.get(`shards/${shard}/kustomization.yaml`) ?? 'resources: [missing]') as {
      resources: string[];
    }
  ).resources;

describe('sticky shards', () => {
  const first = renderTree(names('team', 3), CAPACITY);

  it('a workspace past the capacity opens a shard and touches nothing of the full one', () => {
    const next = over(first, names('team', 4));
    expect(shardOf(next)).toEqual({ 'ws-00': 'team', 'ws-01': 'team', 'ws-02': 'team', 'ws-03': 'team.1' });
    expect(changed(first, next)).toEqual([
      'inventory.json',
      'kustomization.yaml',
      'shards/team.1/kustomization.yaml',
      ...[...next.keys()].filter((path) => path.startsWith('workspaces/team/ws-03/')),
    ]);
  });

  it('removing workspaces moves nobody, and an emptied shard stays as an empty kustomization', () => {
    const four = over(first, names('team', 4));
    const without = over(four, names('team', 3)); // ws-03, the only one in team.1, is deleted
    expect(shardOf(without)).toEqual({ 'ws-00': 'team', 'ws-01': 'team', 'ws-02': 'team' });
    expect(listed(without, 'team.1')).toEqual([]);
    expect(YAML.parse(without.get('kustomization.yaml')!).resources).toEqual([
      'shards/team',
      'shards/team.1',
    ]);
    const gap = over(four, [...names('team', 1), ...names('team', 2, 2)]); // ws-01 deleted: no merge
    expect(shardOf(gap)).toEqual({ 'ws-00': 'team', 'ws-02': 'team', 'ws-03': 'team.1' });
    expect(changed(four, gap).filter((path) => !path.startsWith('workspaces/team/ws-01/'))).toEqual([
      'inventory.json',
      'shards/team/kustomization.yaml',
    ]);
    // The next new workspace fills the gap rather than opening a shard.
    const refilled = over(gap, [...names('team', 1), ...names('team', 2, 2), workspace('team', 'new')]);
    expect(shardOf(refilled)['new']).toBe('team');
  });

  it('an edit changes its workspace directory only', () => {
    const four = over(first, names('team', 4));
    const edited = over(four, [...names('team', 3), workspace('team', 'ws-03', 4)]);
    expect(changed(four, edited)).toEqual(['workspaces/team/ws-03/deployment-ws-03.yaml']);
  });

  it('gives the same bytes for the same workspaces over the same previous tree', () => {
    const four = over(first, names('team', 4));
    const input = [...names('team', 2), ...names('team', 3, 5), ...names('other', 2)];
    expect([...over(four, input)]).toEqual([...over(four, [...input].reverse())]);
  });

  it('retires a shard only when asked and only once it was empty in the previous tree', () => {
    const four = over(first, names('team', 4));
    const retire = { ...CAPACITY, retireEmpty: true };
    const emptied = over(four, names('team', 3), retire);
    expect(emptied.has('shards/team.1/kustomization.yaml')).toBe(true);
    const retired = over(emptied, names('team', 3), retire);
    expect(retired.has('shards/team.1/kustomization.yaml')).toBe(false);
    expect(inventoryOf(retired).files).toEqual(['shards/team/kustomization.yaml']);
    expect(over(emptied, names('team', 3)).has('shards/team.1/kustomization.yaml')).toBe(true);
  });
});

describe('Flux units in the tree', () => {
  const units = (tree: Tree) => [...tree.keys()].filter((path) => path.startsWith('flux-units/'));

  it('are written when asked, one per shard, and stay on later renders that do not ask', () => {
    const first = renderTree(names('team', 4), { ...CAPACITY, fluxUnits: true });
    expect(units(first)).toEqual([
      'flux-units/kustomization.yaml',
      'flux-units/team.1.yaml',
      'flux-units/team.yaml',
    ]);
    expect(inventoryOf(first).files).toEqual([
      'flux-units/kustomization.yaml',
      'flux-units/team.1.yaml',
      'flux-units/team.yaml',
      'shards/team.1/kustomization.yaml',
      'shards/team/kustomization.yaml',
    ]);
    const later = over(first, names('team', 7)); // no fluxUnits: they stay, and follow the new shard
    expect(units(later)).toEqual([...units(first), 'flux-units/team.2.yaml'].sort());
    expect(YAML.parse(later.get('flux-units/kustomization.yaml')!).resources).toEqual([
      'team.yaml',
      'team.1.yaml',
      'team.2.yaml',
    ]);
    expect(changed(first, later).filter((path) => path.startsWith('flux-units/'))).toEqual([
      'flux-units/kustomization.yaml',
      'flux-units/team.2.yaml',
    ]);
  });

  it('name no deploy path and no timeout: the root Kustomization substitutes both', () => {
    const tree = renderTree(names('team', 1), { fluxUnits: true });
    const unit = YAML.parse(tree.get('flux-units/team.yaml')!);
    expect(unit).toMatchObject({
      kind: 'Kustomization',
      metadata: { name: 'kaito-workspaces-team', namespace: 'flux-system' },
      spec: { path: '${KAITO_SHARDS_PATH}/team', timeout: '${KAITO_FLUX_TIMEOUT}', prune: true, wait: true },
    });
    expect(unit.metadata.annotations).toBeUndefined(); // the root prunes a retired shard's unit
    expect([...tree.get('flux-units/team.yaml')!.matchAll(/\$\{?\w*/g)].map((m) => m[0])).toEqual([
      '${KAITO_SHARDS_PATH',
      '${KAITO_FLUX_TIMEOUT',
    ]);
  });
});
