/**
 * A tree written before shards were sticky (tests/fixtures/main-shards: shards split by name-hash bits,
 * an inventory without `shard`) is taken over as it is: the first render with sticky shards moves no
 * workspace and rewrites no shard kustomization, and later ones put new workspaces into its shards.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { readCatalog, type Catalog } from '../../../src/catalog/index.ts';
import { hydrate, type SourceFile } from '../../../src/pipeline.ts';
import { inventoryOf, type Tree } from '../../../src/render/index.ts';
import { shardSpecs } from '../../support/shard-specs.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/main-shards');
const SPECS = [...shardSpecs('default', 110), ...shardSpecs('team-a', 3)];

let catalog: Catalog;
let legacy: Tree;
beforeAll(async () => {
  catalog = await readCatalog();
  // The fixture's layout files, and the workspace directories as they are deployed.
  const layout = readdirSync(FIXTURE, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== 'README.md')
    .map((entry): [string, string] => {
      const path = join(entry.parentPath, entry.name);
      return [path.slice(FIXTURE.length + 1), readFileSync(path, 'utf8')];
    });
  const workspaces = [...hydrate(SPECS, { catalog }).tree].filter(([path]) => path.startsWith('workspaces/'));
  legacy = new Map([...layout, ...workspaces].sort(([a], [b]) => (a < b ? -1 : 1)));
});

/** `namespace/name` → the shard whose kustomization lists its directory. */
function listedIn(tree: Tree): Map<string, string> {
  const where = new Map<string, string>();
  for (const [path, text] of tree) {
    const shard = /^shards\/([^/]+)\/kustomization\.yaml$/.exec(path)?.[1];
    if (shard === undefined) continue;
    for (const dir of (YAML.parse(text) as { resources: string[] }).resources)
      where.set(dir.replace('../../workspaces/', ''), shard);
  }
  return where;
}

const render = (files: readonly SourceFile[], previous: Tree) => {
  const result = hydrate(files, { catalog, previous });
  expect(result.errors).toEqual([]);
  return result.tree;
};

describe('a tree of the hash-split layout', () => {
  it('is the layout this test expects: shards past one bit, none of them named by a number', () => {
    expect(inventoryOf(legacy).files).toEqual([
      'shards/default.0/kustomization.yaml',
      'shards/default.10/kustomization.yaml',
      'shards/default.11/kustomization.yaml',
      'shards/team-a/kustomization.yaml',
    ]);
    expect(inventoryOf(legacy).workspaces.every((entry) => entry.shard === undefined)).toBe(true);
  });

  it('is taken over without moving anything: only the inventory changes, to record the shards', () => {
    const next = render(SPECS, legacy);
    const changed = [...next.keys()].filter((path) => next.get(path) !== legacy.get(path));
    expect(changed).toEqual(['inventory.json']);
    const listed = listedIn(legacy);
    expect(listed.size).toBe(SPECS.length);
    for (const entry of inventoryOf(next).workspaces) {
      expect(entry.shard, `${entry.namespace}/${entry.name}`).toBe(
        listed.get(`${entry.namespace}/${entry.name}`),
      );
    }
  });

  it('keeps every workspace in its shard as specs come and go, and fills its shards before opening one', () => {
    const listed = listedIn(legacy);
    const taken = render(SPECS, legacy);
    const gone = new Set(['default/ws-005.yaml', 'default/ws-017.yaml']);
    const more = [...SPECS.filter((f) => !gone.has(f.path)), ...shardSpecs('default', 44, 500)];
    const next = render(more, taken);
    const after = listedIn(next);
    for (const [id, shard] of listed) if (after.has(id)) expect(after.get(id), id).toBe(shard);
    const sizes = Object.fromEntries(
      ['default.0', 'default.10', 'default.11', 'default.1'].map((shard) => [
        shard,
        [...after.values()].filter((s) => s === shard).length,
      ]),
    );
    // 108 + 44 = 152 in default: the three shards fill to 50 each, then a new one opens with a free name.
    expect(sizes).toEqual({ 'default.0': 50, 'default.10': 50, 'default.11': 50, 'default.1': 2 });
    expect(inventoryOf(next).files).toContain('shards/default.1/kustomization.yaml');
  });
});
