/**
 * The name of the Flux Kustomization or Argo CD Application of one shard: `<prefix>-<shard>`. Both tools
 * put it in a label value on every object they apply, so it stays within 63 characters: a longer one
 * keeps its first characters (less trailing dots and dashes) and ends with a hash of the whole. The
 * Argo CD shard ApplicationSet renders the same rule with Sprig (install/argocd-names.ts). A unit's name
 * never changes for a shard: a renamed unit would prune what the old one applied.
 */
import { createHash } from 'node:crypto';

export const MAX_UNIT_NAME = 63;
export const UNIT_HASH_LENGTH = 8;
/** Characters of the name a cut name keeps before the trailing dots and dashes go. */
export const UNIT_NAME_KEEP = MAX_UNIT_NAME - UNIT_HASH_LENGTH - 1;

export function unitName(prefix: string, shard: string): string {
  const name = `${prefix}-${shard}`;
  if (name.length <= MAX_UNIT_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, UNIT_HASH_LENGTH);
  return `${name.slice(0, UNIT_NAME_KEEP).replace(/[.-]+$/, '')}-${hash}`;
}
