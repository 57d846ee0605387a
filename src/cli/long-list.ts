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

export function fitRows<T>(
  rows: readonly T[],
  needsAttention: (row: T) => boolean,
  options: { verbose: boolean; io: CliIO },
): FittedRows<T> {
  if (options.verbose || rows.length <= screenful(options.io)) return { shown: [...rows], hidden: 0 };
  const shown = rows.filter(needsAttention);
  return { shown, hidden: rows.length - shown.length };
}

/** The line under a cut list: `996 unchanged workspaces not shown (--verbose lists every one)`. */
export function hiddenLine(hidden: number, what: string): string {
  return `${hidden} ${what} not shown (--verbose lists every one)`;
}
