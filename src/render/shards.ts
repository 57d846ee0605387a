/**
 * Shards: the units Flux or Argo CD builds. Kustomize's cost grows with the square of the objects in one
 * build (its duplicate-ID check, kustomize#5084), so the tree is applied in shards of at most
 * {@link MAX_WORKSPACES_PER_SHARD} workspaces rather than as one root.
 *
 * A namespace is one shard while it fits. A bigger one is split in two by one bit of each workspace
 * name's SHA-256, and each half again while it is too big: the shards are the leaves of that binary
 * tree, named `<namespace>` or `<namespace>.<bits>` (`team-a.01`: a dot, which no namespace has).
 * The assignment depends only on the workspaces themselves, so it is byte-stable, and it is local:
 * adding a workspace changes only the shard it hashes into (which may split in two), removing one
 * changes only its shard (which may merge with its sibling). Every other shard keeps its bytes.
 */
import { createHash } from 'node:crypto';
import { compareStrings, keyOf } from '../api/index.ts';
import type { WorkspaceRef } from './tree.ts';

/** At most this many workspaces (a few objects each) in one unit: about 0.3 s of `kubectl kustomize`. */
export const MAX_WORKSPACES_PER_SHARD = 50;

export interface Shard {
  name: string;
  /** Sorted by namespace, then name. */
  workspaces: WorkspaceRef[];
}

/** The shards of these workspaces, sorted by name. */
export function assignShards(
  workspaces: readonly WorkspaceRef[],
  max: number = MAX_WORKSPACES_PER_SHARD,
): Shard[] {
  const byNamespace = new Map<string, WorkspaceRef[]>();
  for (const workspace of workspaces) {
    const members = byNamespace.get(workspace.namespace) ?? [];
    members.push(workspace);
    byNamespace.set(workspace.namespace, members);
  }
  const shards: Shard[] = [];
  for (const [namespace, members] of byNamespace) {
    const hashed = members.map((workspace) => ({ workspace, bits: hashBits(workspace.name) }));
    split(namespace, '', hashed, max, shards);
  }
  for (const shard of shards) shard.workspaces.sort((a, b) => compareStrings(keyOf(a), keyOf(b)));
  return shards.sort((a, b) => compareStrings(a.name, b.name));
}

function split(
  namespace: string,
  prefix: string,
  members: readonly { workspace: WorkspaceRef; bits: string }[],
  max: number,
  into: Shard[],
): void {
  if (members.length === 0) return;
  if (members.length <= max || prefix.length >= 64) {
    into.push({
      name: prefix === '' ? namespace : `${namespace}.${prefix}`,
      workspaces: members.map((m) => m.workspace),
    });
    return;
  }
  const depth = prefix.length;
  split(
    namespace,
    `${prefix}0`,
    members.filter((m) => m.bits[depth] === '0'),
    max,
    into,
  );
  split(
    namespace,
    `${prefix}1`,
    members.filter((m) => m.bits[depth] === '1'),
    max,
    into,
  );
}

/** The first 64 bits of the name's SHA-256, as `0`/`1` characters. */
function hashBits(name: string): string {
  const digest = createHash('sha256').update(name).digest();
  let bits = '';
  for (const byte of digest.subarray(0, 8)) bits += byte.toString(2).padStart(8, '0');
  return bits;
}

/** The shards an inventory lists (`shards/<name>/kustomization.yaml`), sorted. */
export function shardNames(inventory: { files: readonly string[] }): string[] {
  return inventory.files
    .map((path) => /^shards\/([^/]+)\/kustomization\.yaml$/.exec(path)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort(compareStrings);
}
