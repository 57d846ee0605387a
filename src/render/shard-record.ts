/**
 * Where a previous tree put each workspace: the `shard` its inventory entry records, or, for a tree
 * written before inventories recorded it (shards by name hash), the shard kustomization that lists the
 * workspace's directory. Taking those over as they are is what lets a tree of the older layout move to
 * sticky shards without moving anything already deployed.
 */
import { parse } from 'yaml';
import { keyOf } from '../api/index.ts';
import type { Inventory } from './inventory.ts';
import { WORKSPACES_DIR } from './layout.ts';
import { NO_SHARDS, shardNames, type ShardRecord } from './shards.ts';
import type { Tree } from './types.ts';

const LISTED_DIRECTORY = new RegExp(`^\\.\\./\\.\\./${WORKSPACES_DIR}/([^/]+)/([^/]+)$`);

export function shardRecord(inventory: Inventory, tree: Tree): ShardRecord {
  const shards = shardNames(inventory);
  if (shards.length === 0 && inventory.workspaces.length === 0) return NO_SHARDS;
  const assigned = new Map<string, string>();
  for (const entry of inventory.workspaces) {
    if (entry.shard !== undefined) assigned.set(keyOf(entry), entry.shard);
  }
  if (assigned.size < inventory.workspaces.length) {
    for (const shard of shards) {
      for (const key of listedWorkspaces(tree.get(`shards/${shard}/kustomization.yaml`))) {
        if (!assigned.has(key)) assigned.set(key, shard);
      }
    }
  }
  return { shards, assigned };
}

/** `namespace/name` of each workspace directory a shard kustomization lists; none if it does not read. */
function listedWorkspaces(text: string | undefined): string[] {
  if (text === undefined) return [];
  let resources: unknown;
  try {
    resources = (parse(text) as { resources?: unknown } | null)?.resources;
  } catch {
    return [];
  }
  if (!Array.isArray(resources)) return [];
  return resources.flatMap((resource) => {
    const match = typeof resource === 'string' ? LISTED_DIRECTORY.exec(resource) : null;
    return match === null ? [] : [`${match[1]}/${match[2]}`];
  });
}
