/**
 * Whether a status write would change what the API server holds: the agent skips every write that
 * would not, which is what keeps it at zero writes per Workspace at steady state. Pure.
 */
import { compareStrings } from '../api/index.ts';
import type { WorkspaceStatus } from './workspace-status.ts';

/** Whether writing `next` would change anything the API server holds; false means skip the write. */
export function statusChanged(
  previous: unknown,
  next: WorkspaceStatus,
  dropped: ReadonlySet<string> = new Set(),
): boolean {
  if (previous === null || typeof previous !== 'object') return true;
  // Only the fields this agent writes: others (e.g. Kaito's `performance`) survive a merge patch and
  // must not make every reconcile look like a change. Fields the server's CRD drops (Kaito's has no
  // `observedGeneration`) are never stored, so comparing them would mean writing for ever.
  const stored = previous as Record<string, unknown>;
  const keys = Object.keys(next).filter((key) => !dropped.has(key));
  const owned = Object.fromEntries(keys.map((key) => [key, stored[key]]));
  const mine = Object.fromEntries(
    keys.map((key) => [key, (next as unknown as Record<string, unknown>)[key]]),
  );
  return canonical(owned) !== canonical(mine);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => compareStrings(a, b)),
        )
      : v,
  );
}
