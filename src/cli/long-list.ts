/**
 * Long results for people: a list longer than a screen shows only the rows that need attention
 * (changed, failed) and says how many it left out; `--verbose` shows every row. A screen is the
 * terminal's height, or {@link DEFAULT_SCREENFUL} lines when stdout is not a terminal, so a log or a
 * pipe gets the same short answer. `--output json` always carries every row.
 */
import type { CliIO } from './command.ts';
import { DEFAULT_SCREENFUL } from './terminal.ts';

export interface FittedRows<T> {
  shown: T[];
  /** Rows left out; 0 when every row is shown. */
  hidden: number;
}

/** Lines a result may take before it is cut to what needs attention (a few kept for the summary). */
export function screenful(io: CliIO): number {
  return Math.max(10, (io.terminal?.rows ?? DEFAULT_SCREENFUL) - 4);
}

/**
 * Every row when they fit (or with `verbose`); else the rows that need attention (changed or failed)
 * when those fit; else only the failed ones, which are never left out.
 */
export function fitRows<T>(
  rows: readonly T[],
  needsAttention: (row: T) => boolean,
  options: { verbose: boolean; io: CliIO; failed?: (row: T) => boolean },
): FittedRows<T> {
  const screen = screenful(options.io);
  if (options.verbose || rows.length <= screen) return { shown: [...rows], hidden: 0 };
  let shown = rows.filter(needsAttention);
  if (shown.length > screen) shown = rows.filter(options.failed ?? (() => false));
  return { shown, hidden: rows.length - shown.length };
}

/** The line under a cut list: `996 workspaces not shown (--verbose lists every one)`. */
export function hiddenLine(hidden: number, what: string): string {
  return `${hidden} ${what} not shown (--verbose lists every one)`;
}
