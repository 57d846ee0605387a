import { describe, expect, it } from 'vitest';
import { NO_SHARDS, assignShards, type Shard, type ShardRecord } from '../../../src/render/shards.ts';

const refs = (namespace: string, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ namespace, name: `ws-${String(from + i).padStart(5, '0')}` }));
const sizes = (shards: Shard[]) => Object.fromEntries(shards.map((s) => [s.name, s.workspaces.length]));

/** What a render of `shards` leaves for the next one. */
function recordOf(shards: Shard[]): ShardRecord {
  return {
    shards: shards.map((s) => s.name),
    assigned: new Map(shards.flatMap((s) => s.workspaces.map((w) => [`${w.namespace}/${w.name}`, s.name]))),
  };
}

describe('a first assignment', () => {
  it('is one shard per namespace while it fits, then fills <namespace>.1, .2, ... in name order', () => {
    const shards = assignShards([...refs('a', 3), ...refs('b', 120)], NO_SHARDS, { capacity: 50 });
    expect(sizes(shards)).toEqual({ a: 3, b: 50, 'b.1': 50, 'b.2': 20 });
    expect(shards.find((s) => s.name === 'b.1')?.workspaces[0]).toEqual({ namespace: 'b', name: 'ws-00050' });
  });

  it('is the same for the same workspaces, in any order', () => {
    const workspaces = [...refs('a', 70), ...refs('b', 5)];
    expect(assignShards([...workspaces].reverse())).toEqual(assignShards(workspaces));
  });

  it('keeps every shard within the bound at 10,000 workspaces in one namespace', () => {
    const shards = assignShards(refs('big', 10_000));
    expect(Math.max(...shards.map((s) => s.workspaces.length))).toBe(50);
    expect(shards).toHaveLength(200);
  });
});

describe('over a previous assignment', () => {
  const first = assignShards(refs('team', 120), NO_SHARDS, { capacity: 50 }); // team 50, team.1 50, team.2 20

  it('keeps every workspace where it was, and puts new ones in the first shard with room', () => {
    const gone = new Set(['ws-00003', 'ws-00060']);
    const now = [...refs('team', 120).filter((w) => !gone.has(w.name)), ...refs('team', 3, 500)];
    const next = assignShards(now, recordOf(first), { capacity: 50 });
    expect(sizes(next)).toEqual({ team: 50, 'team.1': 50, 'team.2': 21 });
    const was = recordOf(first).assigned;
    const fresh = { 'ws-00500': 'team', 'ws-00501': 'team.1', 'ws-00502': 'team.2' };
    for (const shard of next) {
      for (const w of shard.workspaces) {
        const expected = was.get(`team/${w.name}`) ?? fresh[w.name as keyof typeof fresh];
        expect(shard.name, w.name).toBe(expected);
      }
    }
  });

  it('never splits or merges: a full namespace opens a new shard, an emptied shard stays', () => {
    const all = assignShards([...refs('team', 120), ...refs('team', 31, 200)], recordOf(first), {
      capacity: 50,
    });
    expect(sizes(all)).toEqual({ team: 50, 'team.1': 50, 'team.2': 50, 'team.3': 1 });
    const emptied = assignShards(refs('team', 100), recordOf(all), { capacity: 50 });
    expect(sizes(emptied)).toEqual({ team: 50, 'team.1': 50, 'team.2': 0, 'team.3': 0 });
  });

  it('retires only shards that were empty before and are empty still, when asked', () => {
    const emptied = assignShards(refs('team', 100), recordOf(first), { capacity: 50 });
    expect(sizes(assignShards(refs('team', 100), recordOf(first), { retireEmpty: true }))).toEqual(
      sizes(emptied),
    );
    expect(sizes(assignShards(refs('team', 100), recordOf(emptied), { retireEmpty: true }))).toEqual({
      team: 50,
      'team.1': 50,
    });
    const refilled = assignShards([...refs('team', 100), ...refs('team', 1, 900)], recordOf(emptied), {
      capacity: 50,
      retireEmpty: true,
    });
    expect(sizes(refilled)).toEqual({ team: 50, 'team.1': 50, 'team.2': 1 });
  });

  it('takes over shards of any size and name, and opens only names nobody has', () => {
    // A tree of the older layout: hash-bit names, and a shard past the capacity.
    const legacy: ShardRecord = {
      shards: ['ns.0', 'ns.10', 'ns.11'],
      assigned: new Map([
        ...refs('ns', 3).map((w): [string, string] => [`ns/${w.name}`, 'ns.0']),
        ...refs('ns', 3, 3).map((w): [string, string] => [`ns/${w.name}`, 'ns.10']),
        ...refs('ns', 2, 6).map((w): [string, string] => [`ns/${w.name}`, 'ns.11']),
      ]),
    };
    const next = assignShards([...refs('ns', 8), ...refs('ns', 4, 100)], legacy, { capacity: 3 });
    expect(sizes(next)).toEqual({ 'ns.0': 3, 'ns.10': 3, 'ns.11': 3, 'ns.1': 3 });
    const crowded = assignShards(refs('ns', 8), legacy, { capacity: 2 });
    expect(sizes(crowded)).toEqual({ 'ns.0': 3, 'ns.10': 3, 'ns.11': 2 });
  });

  it('ignores a recorded shard of another namespace', () => {
    const wrong: ShardRecord = { shards: ['b'], assigned: new Map([['a/ws-00000', 'b']]) };
    expect(sizes(assignShards(refs('a', 1), wrong))).toEqual({ a: 1, b: 0 });
  });
});
