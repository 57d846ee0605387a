/**
 * Manifests → Kustomize tree, and the merge that keeps a failed workspace's last good files. Pure and
 * byte-stable: the same manifests over the same previous tree give the same bytes, and one workspace's
 * change touches only its directory, its shard's kustomization (when workspaces come or go), the root
 * one and its Flux unit (when a shard opens) and the inventory.
 */
import { compareStrings, keyOf } from '../api/index.ts';
import type { WorkspaceManifests } from '../synth/index.ts';
import { fluxUnitFiles, hasFluxUnits } from './flux-units.ts';
import {
  emptyInventory,
  inventoryOf,
  serializeInventory,
  type Inventory,
  type InventoryEntry,
} from './inventory.ts';
import {
  INVENTORY,
  KUSTOMIZATION,
  needsManagedByLabel,
  objectFileName,
  rootKustomization,
  shardDir,
  shardKustomization,
  workspaceDir,
  workspaceKustomization,
} from './layout.ts';
import { shardRecord } from './shard-record.ts';
import { NO_SHARDS, assignShards, type ShardOptions, type ShardRecord } from './shards.ts';
import { assertTreePath } from './paths.ts';
import type { Tree } from './types.ts';
import { emitYaml } from './yaml.ts';

/** A workspace's directory as rendered: its inventory entry and the contents of each file in it. */
export interface RenderedWorkspace {
  entry: InventoryEntry;
  files: Map<string, string>;
}

export interface WorkspaceRef {
  namespace: string;
  name: string;
}

/** How the tree is laid out beyond the workspaces themselves. */
export interface TreeLayout extends ShardOptions {
  /**
   * Write one Flux Kustomization per shard into `flux-units/` (flux-units.ts). Once a tree has them,
   * they stay whether or not this is set. @default false
   */
  fluxUnits?: boolean;
}

export interface MergeOptions extends TreeLayout {
  /** Workspaces whose spec failed this time: their previous files are kept byte for byte. */
  keep: readonly WorkspaceRef[];
}

/** A file a new workspace would have written over an object that a kept workspace already provides. */
export interface MergeConflict {
  workspace: WorkspaceRef;
  /** The dropped file of `workspace`. */
  path: string;
  /** The kept workspace whose directory holds the same object. */
  keptBy: WorkspaceRef;
}

export interface MergeResult {
  tree: Tree;
  conflicts: MergeConflict[];
}

export function renderWorkspace(manifests: WorkspaceManifests): RenderedWorkspace {
  const dir = workspaceDir(manifests.namespace, manifests.name);
  const files = new Map<string, string>();
  const resources: string[] = [];
  for (const object of manifests.objects) {
    const namespace = object.metadata.namespace;
    if (namespace !== undefined && namespace !== manifests.namespace) {
      throw new Error(
        `${object.kind} "${namespace}/${object.metadata.name}" is not in the namespace of Workspace "${manifests.namespace}/${manifests.name}"`,
      );
    }
    const file = objectFileName(object);
    const path = `${dir}/${file}`;
    if (files.has(path))
      throw new Error(`two objects of Workspace "${manifests.namespace}/${manifests.name}" map to ${path}`);
    files.set(path, emitYaml(object));
    resources.push(file);
  }
  const kustomization = `${dir}/${KUSTOMIZATION}`;
  const withKustomization = new Map([
    [kustomization, workspaceKustomization(resources, needsManagedByLabel(manifests.objects))],
    ...files,
  ]);
  const entry: InventoryEntry = {
    namespace: manifests.namespace,
    name: manifests.name,
    files: [kustomization, ...files.keys()],
  };
  if (manifests.source !== undefined) entry.source = manifests.source;
  return { entry, files: withKustomization };
}

/**
 * The whole tree for these workspaces, rendered for the first time: their directories, the shards, the
 * root kustomization and the inventory. Over a previous tree, {@link mergeTree} keeps its shards.
 */
export function renderTree(workspaces: readonly WorkspaceManifests[], layout: TreeLayout = {}): Tree {
  return assemble(workspaces.map(renderWorkspace), NO_SHARDS, layout);
}

/**
 * The tree to write after a run where some specs failed: `next` (what rendered this time) plus, for
 * each workspace in `keep`, the files `previous` had for it, byte for byte. A workspace that is in
 * `previous` but neither rendered nor kept is gone from the result (its spec was deleted), and its
 * files will be removed by `writeTree`. If a new directory would list an object that a kept directory
 * already holds (a shared ConfigMap whose first referrer just failed), the kept one wins, the new
 * copy is dropped from its directory and the clash is reported: Kustomize refuses duplicates.
 * Every workspace stays in the shard `previous` has it in (shards.ts), whatever shard `next` gave it.
 */
export function mergeTree(previous: Tree, next: Tree, options: MergeOptions): MergeResult {
  const { keep: keepList, ...layout } = options;
  const keep = new Set(keepList.map(keyOf));
  const before = inventoryOf(previous);
  const kept = before.workspaces
    .filter((entry) => keep.has(keyOf(entry)))
    .map((entry): RenderedWorkspace => {
      const files = new Map<string, string>();
      for (const path of entry.files) {
        const text = previous.get(path);
        if (text !== undefined) files.set(path, text);
      }
      return { entry: { ...entry, files: [...files.keys()] }, files };
    });
  const heldBy = new Map<string, WorkspaceRef>();
  for (const workspace of kept) {
    for (const path of workspace.files.keys()) {
      if (!path.endsWith(`/${KUSTOMIZATION}`))
        heldBy.set(objectSlot(workspace.entry.namespace, path), workspace.entry);
    }
  }
  const conflicts: MergeConflict[] = [];
  const fresh = inventoryOf(next)
    .workspaces.filter((entry) => !keep.has(keyOf(entry)))
    .map((entry) => {
      const files = new Map<string, string>();
      for (const path of entry.files) {
        const text = next.get(path);
        if (text === undefined)
          throw new Error(`the new tree's inventory lists ${path}, which the tree lacks`);
        const holder = path.endsWith(`/${KUSTOMIZATION}`)
          ? undefined
          : heldBy.get(objectSlot(entry.namespace, path));
        if (holder === undefined) files.set(path, text);
        else
          conflicts.push({
            workspace: { namespace: entry.namespace, name: entry.name },
            path,
            keptBy: holder,
          });
      }
      return restoreKustomization({ entry: { ...entry, files: [...files.keys()] }, files });
    });
  const tree = assemble([...kept, ...fresh], shardRecord(before, previous), {
    ...layout,
    fluxUnits: layout.fluxUnits === true || hasFluxUnits(before),
  });
  return { tree, conflicts };
}

function assemble(workspaces: readonly RenderedWorkspace[], record: ShardRecord, layout: TreeLayout): Tree {
  const sorted = [...workspaces].sort((a, b) => compareStrings(keyOf(a.entry), keyOf(b.entry)));
  const assigned = assignShards(
    sorted.map((w) => w.entry),
    record,
    layout,
  );
  const shardOf = new Map<string, string>();
  const shards = assigned.map((shard): [string, string] => {
    for (const workspace of shard.workspaces) shardOf.set(keyOf(workspace), shard.name);
    return [
      `${shardDir(shard.name)}/${KUSTOMIZATION}`,
      shardKustomization(shard.workspaces.map((w) => workspaceDir(w.namespace, w.name))),
    ];
  });
  const units = layout.fluxUnits === true ? fluxUnitFiles(assigned.map((shard) => shard.name)) : [];
  const inventory: Inventory = {
    ...emptyInventory(),
    workspaces: sorted.map((w) => ({ ...w.entry, shard: shardOf.get(keyOf(w.entry)) })),
    files: [...shards, ...units].map(([path]) => path).sort(compareStrings),
  };
  const entries: [string, string][] = [
    [KUSTOMIZATION, rootKustomization(shards.map(([path]) => path.slice(0, -KUSTOMIZATION.length - 1)))],
    [INVENTORY, serializeInventory(inventory)],
    ...shards,
    ...units,
  ];
  const seen = new Set<string>();
  for (const workspace of sorted) {
    const id = keyOf(workspace.entry);
    if (seen.has(id)) throw new Error(`Workspace "${id}" appears twice in the tree`);
    seen.add(id);
    for (const [path, text] of workspace.files) entries.push([path, text]);
  }
  for (const [path] of entries) assertTreePath(path);
  return new Map(entries.sort(([a], [b]) => compareStrings(a, b)));
}

/** After dropping conflicting files, the directory's kustomization must list only what is left. */
function restoreKustomization(workspace: RenderedWorkspace): RenderedWorkspace {
  const dir = workspaceDir(workspace.entry.namespace, workspace.entry.name);
  const kustomization = `${dir}/${KUSTOMIZATION}`;
  const objects = workspace.entry.files.filter((path) => path !== kustomization);
  // Dropping files never adds an unlabelled object: the label stays as rendered.
  const labelled = workspace.files.get(kustomization)?.includes('\nlabels:\n') ?? false;
  const expected = workspaceKustomization(
    objects.map((path) => path.slice(dir.length + 1)),
    labelled,
  );
  if (workspace.files.get(kustomization) === expected) return workspace;
  const files = new Map(workspace.files);
  files.set(kustomization, expected);
  return { entry: { ...workspace.entry, files: [kustomization, ...objects] }, files };
}

/** Objects are identified by namespace and file name (`<kind>-<name>.yaml`), whatever directory holds them. */
function objectSlot(namespace: string, path: string): string {
  return `${namespace}/${path.slice(path.lastIndexOf('/') + 1)}`;
}
