/**
 * Ownership of an output directory, the same for a directory on disk (`synth`) and a directory in a
 * git tree (`sync`): kaito-gitops owns the files its inventory lists, plus `inventory.json` and the root
 * `kustomization.yaml` once an inventory is there. Writing a tree removes owned files the tree no longer
 * has and never changes or removes anything else; a file of the tree that is already there and not
 * owned is a conflict, and nothing is written.
 */
import { parseInventory, type Inventory } from './inventory.ts';
import { INVENTORY, KUSTOMIZATION } from './layout.ts';
import type { Tree } from './types.ts';

/** The paths kaito-gitops owns in a directory whose inventory is `inventory` (undefined: none there). */
export function ownedPaths(inventory: Inventory | undefined): Set<string> {
  if (inventory === undefined) return new Set();
  return new Set([
    INVENTORY,
    KUSTOMIZATION,
    ...inventory.files,
    ...inventory.workspaces.flatMap((entry) => entry.files),
  ]);
}

/** The part of a directory kaito-gitops owns: what a render builds on (`hydrate`'s previous tree). */
export function ownedTree(existing: Tree): Tree {
  const text = existing.get(INVENTORY);
  const owned = ownedPaths(text === undefined ? undefined : parseInventory(text));
  return new Map([...existing].filter(([path]) => owned.has(path)));
}

export interface Placement {
  /** Every file of the directory after the write. */
  files: Map<string, string>;
  /** Paths of `next` that are there already and kaito-gitops did not write: nothing may be written. */
  conflicts: string[];
  /** Files of the directory that kaito-gitops does not own (left as they are). */
  foreign: number;
}

/** The directory holding `existing` (every file in it, by path) after `next` is written over it. */
export function placeTree(existing: Tree, next: Tree): Placement {
  const text = existing.get(INVENTORY);
  const owned = ownedPaths(text === undefined ? undefined : parseInventory(text));
  const files = new Map<string, string>();
  let foreign = 0;
  for (const [path, content] of existing) {
    if (owned.has(path)) continue;
    files.set(path, content);
    foreign++;
  }
  const conflicts = [...next.keys()].filter((path) => files.has(path)).sort();
  for (const [path, content] of next) files.set(path, content);
  return { files, conflicts, foreign };
}
