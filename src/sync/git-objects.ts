/**
 * A rendered tree (path → text) as git objects, computed in memory: blob and tree ids are the
 * SHA-1s git itself would give them. Pure, so a pass can tell which directories changed by comparing
 * ids, and write only those objects (a one-workspace change writes a handful, not thousands).
 */
import { createHash } from 'node:crypto';
import type { Tree } from '../render/index.ts';

export interface GitBlob {
  type: 'blob';
  oid: string;
  content: Uint8Array;
}

export interface GitDirectory {
  type: 'tree';
  oid: string;
  /** Entries in git's order. */
  entries: Map<string, GitBlob | GitDirectory>;
}

export const FILE_MODE = '100644';
export const DIRECTORY_MODE = '40000';

export function blobOf(text: string): GitBlob {
  const content = Buffer.from(text, 'utf8');
  return { type: 'blob', oid: objectId('blob', content), content };
}

/** The git tree of `tree`; an empty tree is the empty git tree (`4b825dc…`). */
export function directoryOf(tree: Tree): GitDirectory {
  const root: Nested = new Map();
  for (const [path, text] of tree) {
    const parts = path.split('/');
    const file = parts.pop();
    if (file === undefined || file === '' || parts.some((p) => p === '' || p === '.' || p === '..')) {
      throw new Error(`refusing tree path ${JSON.stringify(path)}`);
    }
    let dir = root;
    for (const part of parts) {
      let next = dir.get(part);
      if (next === undefined) {
        next = new Map();
        dir.set(part, next);
      }
      if (typeof next === 'string') throw new Error(`${path}: ${part} is both a file and a directory`);
      dir = next;
    }
    if (dir.has(file)) throw new Error(`${path} is both a file and a directory`);
    dir.set(file, text);
  }
  return build(root);
}

type Nested = Map<string, Nested | string>;

function build(nested: Nested): GitDirectory {
  const children: [string, GitBlob | GitDirectory][] = [...nested].map(([name, value]) => [
    name,
    typeof value === 'string' ? blobOf(value) : build(value),
  ]);
  children.sort(([a, x], [b, y]) => compareEntries(a, x.type, b, y.type));
  const entries = new Map(children);
  return { type: 'tree', oid: objectId('tree', treeContent(entries)), entries };
}

/** The raw content of a git tree object. */
export function treeContent(entries: ReadonlyMap<string, { type: 'blob' | 'tree'; oid: string }>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, entry] of entries) {
    parts.push(Buffer.from(`${entry.type === 'tree' ? DIRECTORY_MODE : FILE_MODE} ${name}\0`, 'utf8'));
    parts.push(Buffer.from(entry.oid, 'hex'));
  }
  return Buffer.concat(parts);
}

/** git's tree order: byte order of names, with a directory compared as if its name ended in `/`. */
export function compareEntries(a: string, aType: string, b: string, bType: string): number {
  const x = Buffer.from(aType === 'tree' ? `${a}/` : a);
  const y = Buffer.from(bType === 'tree' ? `${b}/` : b);
  return Buffer.compare(x, y);
}

export function objectId(type: 'blob' | 'tree' | 'commit', content: Uint8Array): string {
  return createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
}
