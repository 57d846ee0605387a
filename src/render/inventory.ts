/**
 * `inventory.json`: every file kaito-gitops wrote, per workspace, with the spec it came from. Writing a
 * new tree removes exactly the files the previous inventory lists and the new tree does not (a removed
 * spec's directory), and never touches a file it did not write. JSON, so that no tool applies it.
 */
import { SpecError, type Problem } from '../errors.ts';
import { INVENTORY, isShardName } from './layout.ts';
import { assertTreePath } from './paths.ts';
import { shardNames, shardNamespace } from './shards.ts';
import type { Tree } from './types.ts';

export const INVENTORY_VERSION = 1;

export interface InventoryEntry {
  namespace: string;
  name: string;
  /** The spec file the workspace came from, when known. */
  source?: string;
  /**
   * The shard the workspace is in (shards.ts): it stays there while its spec exists. Written for every
   * workspace; absent in trees written before shards were sticky (shard-record.ts reads those).
   */
  shard?: string;
  /** Paths relative to the root: the directory's kustomization first, then its objects in order. */
  files: string[];
}

export interface Inventory {
  version: typeof INVENTORY_VERSION;
  generator: 'kaito-gitops';
  /** Sorted by namespace, then name. */
  workspaces: InventoryEntry[];
  /** Files of no single workspace (the shard kustomizations), sorted; the root kustomization apart. */
  files: string[];
}

export function emptyInventory(): Inventory {
  return { version: INVENTORY_VERSION, generator: 'kaito-gitops', workspaces: [], files: [] };
}

export function serializeInventory(inventory: Inventory): string {
  const workspaces = inventory.workspaces.map((entry) => {
    const { namespace, name, source, shard, files } = entry;
    return {
      namespace,
      name,
      ...(source !== undefined && { source }),
      ...(shard !== undefined && { shard }),
      files,
    };
  });
  const { version, generator, files } = inventory;
  return `${JSON.stringify({ version, generator, files, workspaces }, null, 2)}\n`;
}

/** Parses and checks an inventory; a damaged one is a SpecError naming `inventory.json`, so nothing is deleted. */
export function parseInventory(text: string, file = INVENTORY): Inventory {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SpecError(
      [
        {
          path: '',
          message: `is not valid JSON (${(error as Error).message}); restore it from git or delete the output directory`,
        },
      ],
      {
        file,
        cause: error,
      },
    );
  }
  const problems: Problem[] = [];
  const root = isRecord(data) ? data : {};
  if (!isRecord(data)) problems.push({ path: '', message: 'must be a JSON object' });
  else if (root['version'] !== INVENTORY_VERSION) {
    problems.push({
      path: 'version',
      message: `must be ${INVENTORY_VERSION}, not ${JSON.stringify(root['version'])}`,
    });
  }
  const entries = Array.isArray(root['workspaces']) ? root['workspaces'] : [];
  if (isRecord(data) && !Array.isArray(root['workspaces']))
    problems.push({ path: 'workspaces', message: 'must be a list' });
  const workspaces: InventoryEntry[] = [];
  entries.forEach((entry: unknown, index) => {
    const at = `workspaces[${index}]`;
    if (!isRecord(entry) || typeof entry['namespace'] !== 'string' || typeof entry['name'] !== 'string') {
      problems.push({ path: at, message: 'must have a string namespace and name' });
      return;
    }
    const files = entry['files'];
    if (!Array.isArray(files) || !files.every((f) => typeof f === 'string' && isTreePath(f))) {
      problems.push({
        path: `${at}.files`,
        message: 'must be a list of relative paths inside the output directory',
      });
      return;
    }
    const parsed: InventoryEntry = {
      namespace: entry['namespace'],
      name: entry['name'],
      files: files as string[],
    };
    if (typeof entry['source'] === 'string') parsed.source = entry['source'];
    const shard = entry['shard'];
    if (shard !== undefined) {
      if (typeof shard !== 'string' || !isShardName(shard) || shardNamespace(shard) !== parsed.namespace) {
        problems.push({
          path: `${at}.shard`,
          message: `must be a shard of namespace ${JSON.stringify(parsed.namespace)} (${parsed.namespace} or ${parsed.namespace}.<n>), not ${JSON.stringify(shard)}`,
        });
        return;
      }
      parsed.shard = shard;
    }
    workspaces.push(parsed);
  });
  // `files` came with shards; an inventory written before them has none.
  const files = root['files'] ?? [];
  if (!Array.isArray(files) || !files.every((f) => typeof f === 'string' && isTreePath(f)))
    problems.push({ path: 'files', message: 'must be a list of relative paths inside the output directory' });
  else {
    for (const shard of shardNames({ files: files as string[] })) {
      if (!isShardName(shard))
        problems.push({
          path: 'files',
          message: `lists a shard named ${JSON.stringify(shard)}, which is not a shard name`,
        });
    }
  }
  if (problems.length > 0) throw new SpecError(problems, { file });
  return { version: INVENTORY_VERSION, generator: 'kaito-gitops', workspaces, files: files as string[] };
}

/** The inventory a tree carries; an empty one when it has none (a first render). */
export function inventoryOf(tree: Tree): Inventory {
  const text = tree.get(INVENTORY);
  return text === undefined ? emptyInventory() : parseInventory(text);
}

function isTreePath(path: string): boolean {
  try {
    assertTreePath(path);
    return true;
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
