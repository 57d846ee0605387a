/**
 * Manifests → Kustomize tree, and the merge that keeps a failed workspace's last good files. Pure and
 * byte-stable: the same manifests give the same bytes, and one workspace's change touches only its
 * directory, its shard's kustomization and the root one (when workspaces come or go) and the inventory.
 */
import { compareStrings, keyOf } from '../api/index.ts';
import type { WorkspaceManifests } from '../synth/index.ts';
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
import { assignShards } from './shards.ts';
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

export interface MergeOptions {
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

/** The whole tree for these workspaces: their directories, the root kustomization and the inventory. */
export function renderTree(workspaces: readonly WorkspaceManifests[]): Tree {
  return assemble(workspaces.map(renderWorkspace));
}

/**
 * The tree to write after a run where some specs failed: `next` (what rendered this time) plus, for
 * each workspace in `keep`, the files `previous` had for it, byte for byte. A workspace that is in
 * `previous` but neither rendered nor kept is gone from the result (its spec was deleted), and its
 * files will be removed by `writeTree`. If a new directory would list an object that a kept directory
 * already holds (a shared ConfigMap whose first referrer just failed), the kept one wins, the new
 * copy is dropped from its directory and the clash is reported: Kustomize refuses duplicates.
 */
export function mergeTree(previous: Tree, next: Tree, options: MergeOptions): MergeResult {
  const keep = new Set(options.keep.map(keyOf));
  const kept = inventoryOf(previous)
    .workspaces.filter((entry) => keep.has(keyOf(entry)))
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
  return { tree: assemble([...kept, ...fresh]), conflicts };
}

function assemble(workspaces: readonly RenderedWorkspace[]): Tree {
  const sorted = [...workspaces].sort((a, b) => compareStrings(keyOf(a.entry), keyOf(b.entry)));
  const shards = assignShards(sorted.map((w) => w.entry)).map((shard): [string, string] => [
    `${shardDir(shard.name)}/${KUSTOMIZATION}`,
    shardKustomization(shard.workspaces.map((w) => workspaceDir(w.namespace, w.name))),
  ]);
  const inventory: Inventory = {
    ...emptyInventory(),
    workspaces: sorted.map((w) => w.entry),
    files: shards.map(([path]) => path),
  };
  const entries: [string, string][] = [
    [KUSTOMIZATION, rootKustomization(shards.map(([path]) => path.slice(0, -KUSTOMIZATION.length - 1)))],
    [INVENTORY, serializeInventory(inventory)],
    ...shards,
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
