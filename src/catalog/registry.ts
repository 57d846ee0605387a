/**
 * Name → entry look-ups over loaded catalog data. `require` throws a SpecError that names the closest
 * names, so a typo in a spec (`phi-3-mini-4k-instuct`) says what was probably meant.
 */
import { compareStrings, editDistance } from '../api/index.ts';
import { SpecError } from '../errors.ts';
import type { Registry } from './types.ts';

/** Up to `limit` names close to `name`: small edit distance, or one containing the other. */
export function closeMatches(name: string, names: readonly string[], limit = 3): string[] {
  const wanted = name.toLowerCase();
  const threshold = Math.max(2, Math.floor(name.length / 4));
  return names
    .map((candidate) => ({ candidate, distance: editDistance(wanted, candidate.toLowerCase()) }))
    .filter(
      ({ candidate, distance }) =>
        distance <= threshold ||
        (wanted.length >= 3 && candidate.toLowerCase().includes(wanted)) ||
        wanted.includes(candidate.toLowerCase()),
    )
    .sort((x, y) => x.distance - y.distance || compareStrings(x.candidate, y.candidate))
    .slice(0, limit)
    .map(({ candidate }) => candidate);
}

/** A registry over `entries` (already checked for duplicate names), listed in the given order. */
export function createRegistry<T extends { name: string }>(kind: string, entries: readonly T[]): Registry<T> {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const list = Object.freeze([...entries]);
  return {
    get: (name) => byName.get(name),
    require(name) {
      const found = byName.get(name);
      if (found) return found;
      const close = closeMatches(name, [...byName.keys()]);
      const hint = close.length > 0 ? `; did you mean ${close.join(', ')}?` : '';
      throw new SpecError([{ path: '', message: `unknown ${kind} "${name}"${hint}` }]);
    },
    list: () => list,
  };
}
