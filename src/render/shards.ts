/**
 * Shards: the units Flux or Argo CD builds. Kustomize's cost grows with the square of the objects in one
 * build (its duplicate-ID check, kustomize#5084), so the tree is applied in shards of at most
 * {@link MAX_WORKSPACES_PER_SHARD} workspaces rather than as one root.
 *
 * A workspace never changes shard while its spec exists. When an object moves from one Flux
 * Kustomization (or Argo CD Application) to another, the old unit may prune it before the new one
 * applies it (Flux deletes what its last inventory lists and the new build lacks, unless another
 * Kustomization's ownership labels are on it by then; Argo CD prunes what carries its tracking id), and
 * nothing orders the two: the running model would be deleted and created again. So the assignment is
 * sticky, read from the previous tree (shard-record.ts): a workspace stays where it is; a new one goes
 * to the first shard of its namespace (by name) with room; a namespace gets a new shard only when all of
 * its shards are full: `<namespace>` first, then `<namespace>.<n>` with the smallest free n (a dot, which
 * no namespace has). Shards never split or merge, and a shard that loses its last workspace stays, empty,
 * so that the unit pointing at it prunes what it applied instead of failing on a missing path. Only
 * {@link ShardOptions.retireEmpty} removes a shard, one that was empty already in the previous tree.
 */
import { compareStrings, keyOf } from '../api/index.ts';
import { hasFluxUnits } from './flux-units.ts';
import type { WorkspaceRef } from './tree.ts';

/** At most this many workspaces (a few objects each) in one unit: about 0.3 s of `kubectl kustomize`. */
export const MAX_WORKSPACES_PER_SHARD = 50;

export interface Shard {
  name: string;
  /** Sorted by namespace, then name. */
  workspaces: WorkspaceRef[];
}

/** Where the previous tree put things (shard-record.ts). */
export interface ShardRecord {
  /** Every shard of the previous tree, empty ones included. */
  shards: readonly string[];
  /** `namespace/name` → the shard the workspace is in. */
  assigned: ReadonlyMap<string, string>;
}

export const NO_SHARDS: ShardRecord = { shards: [], assigned: new Map() };

export interface ShardOptions {
  /** Workspaces a new workspace may join a shard up to. @default 50 */
  capacity?: number;
  /**
   * Drop shards that have no workspace now and had none in the previous tree (their unit has had a
   * commit to prune at). Only for a bootstrap that drops the shard's unit too. @default false
   */
  retireEmpty?: boolean;
}

/** The namespace a shard belongs to: its name up to the first dot. */
export function shardNamespace(shard: string): string {
  const dot = shard.indexOf('.');
  return dot === -1 ? shard : shard.slice(0, dot);
}

/** The shards of these workspaces, given where the previous tree put them; sorted by name. */
export function assignShards(
  workspaces: readonly WorkspaceRef[],
  previous: ShardRecord = NO_SHARDS,
  options: ShardOptions = {},
): Shard[] {
  const capacity = options.capacity ?? MAX_WORKSPACES_PER_SHARD;
  const members = new Map<string, WorkspaceRef[]>(previous.shards.map((name) => [name, []]));
  const fresh: WorkspaceRef[] = [];
  const sorted = [...workspaces].sort((a, b) => compareStrings(keyOf(a), keyOf(b)));
  for (const workspace of sorted) {
    const shard = previous.assigned.get(keyOf(workspace));
    if (shard === undefined || shardNamespace(shard) !== workspace.namespace) {
      fresh.push(workspace);
      continue;
    }
    const list = members.get(shard);
    if (list === undefined) members.set(shard, [workspace]);
    else list.push(workspace);
  }

  // Per namespace, the shards with room, in name order: the first one takes the next new workspace.
  const open = new Map<string, string[]>();
  const taken = new Map<string, Set<string>>();
  for (const [name, list] of [...members].sort(([a], [b]) => compareStrings(a, b))) {
    const namespace = shardNamespace(name);
    taken.set(namespace, (taken.get(namespace) ?? new Set()).add(name));
    if (list.length < capacity) open.set(namespace, [...(open.get(namespace) ?? []), name]);
  }
  for (const workspace of fresh) {
    const room = open.get(workspace.namespace) ?? [];
    let shard = room[0];
    if (shard === undefined) {
      const names = taken.get(workspace.namespace) ?? new Set<string>();
      shard = newShardName(workspace.namespace, names);
      taken.set(workspace.namespace, names.add(shard));
      members.set(shard, []);
      room.push(shard);
      open.set(workspace.namespace, room);
    }
    const list = members.get(shard) ?? [];
    list.push(workspace);
    if (list.length >= capacity) room.shift();
  }

  if (options.retireEmpty === true) {
    const before = new Set(previous.assigned.values());
    for (const [name, list] of members) if (list.length === 0 && !before.has(name)) members.delete(name);
  }
  return [...members]
    .map(([name, list]) => ({ name, workspaces: list.sort((a, b) => compareStrings(keyOf(a), keyOf(b))) }))
    .sort((a, b) => compareStrings(a.name, b.name));
}

/** `<namespace>` for a namespace without shards, else `<namespace>.<n>` with the smallest free n ≥ 1. */
function newShardName(namespace: string, taken: ReadonlySet<string>): string {
  if (taken.size === 0) return namespace;
  for (let n = 1; ; n++) if (!taken.has(`${namespace}.${n}`)) return `${namespace}.${n}`;
}

/** The shards an inventory lists (`shards/<name>/kustomization.yaml`), sorted. */
export function shardNames(inventory: { files: readonly string[] }): string[] {
  return inventory.files
    .map((path) => /^shards\/([^/]+)\/kustomization\.yaml$/.exec(path)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort(compareStrings);
}

/** What a render did to the units Flux or Argo CD apply. */
export interface ShardChanges {
  /** Shards the new tree has and the previous one had not: units to apply. */
  opened: string[];
  /** Shards the previous tree had and the new one has not. */
  retired: string[];
  /** The new tree carries `flux-units/` (flux-units.ts). */
  fluxUnits: boolean;
}

export function shardChanges(
  previous: { files: readonly string[] },
  next: { files: readonly string[] },
): ShardChanges {
  const before = new Set(shardNames(previous));
  const after = new Set(shardNames(next));
  return {
    opened: [...after].filter((name) => !before.has(name)),
    retired: [...before].filter((name) => !after.has(name)),
    fluxUnits: hasFluxUnits(next),
  };
}
