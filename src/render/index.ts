/** What other folders may use from rendering. */
export type { Tree } from './types.ts';
export type { WorkspaceRef } from './tree.ts';
export { mergeTree, renderTree } from './tree.ts';

export type { InventoryEntry } from './inventory.ts';
export { inventoryOf } from './inventory.ts';
export { INVENTORY, objectFileName } from './layout.ts';
export type { Placement } from './place.ts';
export { ownedTree, placeTree } from './place.ts';
export { shardNames } from './shards.ts';

export type { WriteResult } from './write-tree.ts';
export { readTree, writeTree } from './write-tree.ts';
export { emitYaml, emitYamlDocuments } from './yaml.ts';
