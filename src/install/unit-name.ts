/**
 * The name of the Flux Kustomization or Argo CD Application of one shard: `<prefix>-<shard>`. Both tools
 * put it in a label value on every object they apply, so it stays within 63 characters: a longer one
 * keeps its first characters and ends with a hash of the whole.
 */
import { createHash } from 'node:crypto';

const MAX = 63;

export function unitName(prefix: string, shard: string): string {
  const name = `${prefix}-${shard}`;
  if (name.length <= MAX) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX - hash.length - 1).replace(/[.-]+$/, '')}-${hash}`;
}
