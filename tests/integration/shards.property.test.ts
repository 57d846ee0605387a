/**
 * Property: over random sequences of adds, removals, edits and breakages of Workspace specs, and removals
 * of a whole namespace, across three namespaces (shards of at most three workspaces, so that shards fill, open and empty often):
 *
 * - a workspace's shard never changes while its spec exists (a broken spec keeps it too);
 * - no shard directory ever disappears, and a namespace opens a shard only when its others are full;
 * - sync's incremental renderer gives the bytes a full render gives, shards included;
 * - every shard builds with `kubectl kustomize`, and the shards together are the whole tree, each object
 *   in exactly one shard.
 *
 * Each step renders over the tree the previous step wrote to disk and read back, as `synth` does.
 */
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { readCatalog, type Catalog } from '../../src/catalog/index.ts';
import { hydrate, type HydrateOptions, type SourceFile } from '../../src/pipeline.ts';
import { inventoryOf, readTree, shardNames, writeTree, type Tree } from '../../src/render/index.ts';
import { IncrementalRenderer } from '../../src/sync/index.ts';
import { kustomizeBuild, requireKubectl } from '../support/kustomize.ts';
import { shardSpec } from '../support/shard-specs.ts';

const NAMESPACES = ['a', 'b', 'c'] as const;
const NAMES = 7;
const CAPACITY = 3;

type Edit =
  | { type: 'write'; namespace: number; name: number; version: number }
  | { type: 'remove' | 'break'; namespace: number; name: number }
  | { type: 'clear'; namespace: number };

const target = { namespace: fc.nat(NAMESPACES.length - 1), name: fc.nat(NAMES - 1) };
const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ type: fc.constant('write' as const), ...target, version: fc.nat(2) }),
  },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('remove' as const), ...target }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('break' as const), ...target }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('clear' as const), namespace: target.namespace }) },
);

let catalog: Catalog;
let kubectl: string;
let scratch: string;
beforeAll(async () => {
  [catalog, kubectl] = await Promise.all([readCatalog(), requireKubectl()]);
  scratch = await mkdtemp(join(tmpdir(), 'kaito-shards-property-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const shardsOf = (tree: Tree) =>
  new Map(inventoryOf(tree).workspaces.map((e) => [`${e.namespace}/${e.name}`, e.shard]));

it('a workspace stays in its shard while its spec exists, and no shard directory disappears', async () => {
  const seen = { opened: 0, emptied: 0, kept: 0, partial: 0 };
  await fc.assert(
    fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 40 }), async (edits) => {
      const out = await mkdtemp(join(scratch, 'out-'));
      const source = new Map<string, string>();
      const renderer = new IncrementalRenderer(hydrate);
      const placed = new Map<string, string>(); // workspace → the shard it was first rendered in
      for (const step of edits) {
        apply(source, step);
        const files: SourceFile[] = [...source].map(([path, content]) => ({ path, content }));
        const previous = readTree(out);
        const options: HydrateOptions = { catalog, previous: previous.tree, layout: { capacity: CAPACITY } };
        const result = renderer.render(files, options);
        expect([...result.tree], `after ${JSON.stringify(step)}`).toEqual([...hydrate(files, options).tree]);
        renderer.accept(files, options, result);
        writeTree(out, result.tree, previous.inventory);
        const now = readTree(out).tree;

        const shards = shardsOf(now);
        for (const [id, shard] of shards) {
          expect(shard, `${id} after ${JSON.stringify(step)}`).toBe(placed.get(id) ?? shard);
          placed.set(id, shard ?? '');
        }
        for (const id of placed.keys()) if (!shards.has(id)) placed.delete(id); // its spec was removed
        if (result.workspaces.some((w) => w.status === 'kept')) seen.kept++;

        const before = shardNames(inventoryOf(previous.tree));
        const after = shardNames(inventoryOf(now));
        expect(after).toEqual(expect.arrayContaining(before));
        for (const shard of after) expect(now.has(`shards/${shard}/kustomization.yaml`)).toBe(true);
        const members = (shard: string) => [...shards.values()].filter((s) => s === shard).length;
        for (const opened of after.filter((shard) => !before.includes(shard))) {
          seen.opened++;
          const namespace = opened.split('.')[0];
          for (const other of after.filter((s) => s !== opened && s.split('.')[0] === namespace))
            expect(members(other), `${opened} opened while ${other} had room`).toBe(CAPACITY);
        }
        const had = (shard: string) => [...shardsOf(previous.tree).values()].includes(shard);
        seen.emptied += after.filter((shard) => members(shard) === 0 && had(shard)).length;
      }
      seen.partial += renderer.counts.partial;
      await checkBuilds(out);
      await rm(out, { recursive: true, force: true });
    }),
    // Seeded: the coverage checks below then hold on every run (unseeded, `emptied` and `kept` fell to 2 in
    // about one run of twenty), and a change that breaks the property fails every run, not one in many.
    { numRuns: 40, seed: 20261207 },
  );
  // The generator must reach what the property is about.
  expect(seen.opened).toBeGreaterThan(20);
  expect(seen.emptied).toBeGreaterThan(1);
  expect(seen.kept).toBeGreaterThan(3);
  expect(seen.partial).toBeGreaterThan(30);
});

function apply(source: Map<string, string>, step: Edit): void {
  const namespace = NAMESPACES[step.namespace] ?? 'a';
  if (step.type === 'clear') {
    for (const path of source.keys()) if (path.startsWith(`${namespace}/`)) source.delete(path);
    return;
  }
  const spec = shardSpec(namespace, `ws-${step.name}`, step.type === 'write' ? step.version : 0);
  if (step.type === 'write') source.set(spec.path, spec.content);
  else if (step.type === 'remove') source.delete(spec.path);
  else if (source.has(spec.path))
    source.set(spec.path, spec.content.replace('kind: Workspace', 'kind: Workspcae'));
}

/** Every shard builds; each object of the whole tree is in exactly one shard, its Workspace's. */
async function checkBuilds(dir: string): Promise<void> {
  const { tree } = readTree(dir);
  const inventory = inventoryOf(tree);
  const ids = (yaml: string) =>
    parseAllDocuments(yaml).map((doc) => {
      const o = doc.toJS() as { kind: string; metadata: { name: string; namespace?: string } };
      return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    });
  const union: string[] = [];
  for (const shard of shardNames(inventory)) {
    const built = ids(await kustomizeBuild(kubectl, join(dir, 'shards', shard)));
    const expected = inventory.workspaces
      .filter((entry) => entry.shard === shard)
      .map((entry) => `Workspace/${entry.namespace}/${entry.name}`);
    expect(built.filter((id) => id.startsWith('Workspace/')).sort()).toEqual(expected.sort());
    union.push(...built);
  }
  expect(union.sort()).toEqual(ids(await kustomizeBuild(kubectl, dir)).sort());
}
