/** Delays between push attempts: exponential, capped, with full jitter so racing replicas spread out. */

export const MAX_BACKOFF_MS = 5_000;

/** Delay before attempt `attempt + 1` (attempt counts from 1): uniform in [0, min(cap, base·2^(attempt-1))). */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
