import { describe, expect, it } from 'vitest';
import { assignShards, type Shard } from '../../../src/render/shards.ts';

const refs = (namespace: string, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ namespace, name: `ws-${String(from + i).padStart(5, '0')}` }));
const byName = (shards: Shard[]) => new Map(shards.map((s) => [s.name, JSON.stringify(s.workspaces)]));

describe('shards', () => {
  it('is one shard per namespace while it fits, split by hash bits beyond', () => {
    const shards = assignShards([...refs('a', 3), ...refs('b', 120)], 50);
    expect(shards[0]).toEqual({ name: 'a', workspaces: refs('a', 3) });
    const b = shards.filter((s) => s.name.startsWith('b.'));
    expect(b.length).toBeGreaterThanOrEqual(3);
    expect(b.every((s) => /^b\.[01]+$/.test(s.name) && s.workspaces.length <= 50)).toBe(true);
    expect(b.flatMap((s) => s.workspaces).length).toBe(120);
    expect(shards.map((s) => s.name)).toEqual(shards.map((s) => s.name).sort());
  });

  it('is the same for the same workspaces, in any order', () => {
    const workspaces = [...refs('a', 70), ...refs('b', 5)];
    expect(assignShards([...workspaces].reverse(), 50)).toEqual(assignShards(workspaces, 50));
  });

  it('adding or removing a workspace changes at most its shard and that shard’s split or merge', () => {
    const base = refs('team', 400);
    const before = byName(assignShards(base, 50));
    for (const i of [0, 17, 399, 400, 401, 1234]) {
      const added = { namespace: 'team', name: `new-${i}` };
      const after = byName(assignShards([...base, added], 50));
      const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
        (name) => before.get(name) !== after.get(name),
      );
      // The shard it joined, or, when that shard split, the shard that went and the two that came.
      expect(changed.length === 1 || changed.length === 3).toBe(true);
      const removed = byName(
        assignShards(
          base.filter((_, k) => k !== i % 400),
          50,
        ),
      );
      const touched = [...new Set([...before.keys(), ...removed.keys()])].filter(
        (name) => before.get(name) !== removed.get(name),
      );
      expect(touched.length === 1 || touched.length === 3).toBe(true);
    }
  });

  it('keeps every shard within the bound at 10,000 workspaces in one namespace', () => {
    const shards = assignShards(refs('big', 10_000), 50);
    expect(Math.max(...shards.map((s) => s.workspaces.length))).toBeLessThanOrEqual(50);
    expect(shards.reduce((sum, s) => sum + s.workspaces.length, 0)).toBe(10_000);
  });
});
