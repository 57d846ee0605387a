/** What other folders may use from rendering. */
export type { Tree } from './types.ts';
export type { MergeConflict, MergeOptions, MergeResult, RenderedWorkspace, WorkspaceRef } from './tree.ts';
export { mergeTree, renderTree, renderWorkspace } from './tree.ts';
export type { Inventory, InventoryEntry } from './inventory.ts';
export { emptyInventory, inventoryOf, parseInventory, serializeInventory } from './inventory.ts';
export { INVENTORY, KUSTOMIZATION, WORKSPACES_DIR, objectFileName, workspaceDir } from './layout.ts';
export type { ReadResult, WriteResult } from './write-tree.ts';
export { readTree, writeTree } from './write-tree.ts';
export { emitYaml, emitYamlDocuments } from './yaml.ts';
