/** What other folders may use from rendering. */
export type { Tree } from './types.ts';
export type { MergeOptions, TreeLayout, WorkspaceRef } from './tree.ts';
export { mergeTree, renderTree } from './tree.ts';

export type { InventoryEntry } from './inventory.ts';
export { inventoryOf } from './inventory.ts';
export { INVENTORY, objectFileName } from './layout.ts';
export type { Placement } from './place.ts';
export { ownedTree, placeTree } from './place.ts';
export { MAX_WORKSPACES_PER_SHARD, shardChanges, shardNames, type ShardChanges } from './shards.ts';
export {
  FLUX_NAME,
  FLUX_NAMESPACE,
  FLUX_UNITS_DIR,
  SHARDS_PATH_VARIABLE,
  TIMEOUT_VARIABLE,
  fluxUnit,
  hasFluxUnits,
} from './flux-units.ts';
export { MAX_UNIT_NAME, UNIT_HASH_LENGTH, UNIT_NAME_KEEP, unitName } from './unit-name.ts';

export type { WriteResult } from './write-tree.ts';
export { readTree, writeTree } from './write-tree.ts';
export { emitYaml, emitYamlDocuments } from './yaml.ts';
