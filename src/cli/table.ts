/**
 * Plain-text tables for command output: a header row, columns padded to their widest cell. A column
 * may name a style per row (`rendered` in green); styles are painted after padding, so colour codes
 * never count as width, and only where the terminal allows colour (terminal.ts).
 */
import type { Style } from './terminal.ts';

export type Row = Record<string, string | number | boolean | null | readonly string[]>;
export type Column = [title: string, cell: (row: Row) => string, style?: (row: Row) => Style | undefined];

export function table(
  rows: readonly Row[],
  columns: readonly Column[],
  paint: (style: Style, text: string) => string = (_style, text) => text,
): string {
  const cells = [columns.map(([title]) => title), ...rows.map((row) => columns.map(([, cell]) => cell(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  const last = columns.length - 1;
  return cells
    .map((line, r) => {
      const row = r === 0 ? undefined : rows[r - 1];
      return line
        .map((cell, i) => {
          const padded = i === last ? cell : cell.padEnd(widths[i] ?? 0);
          const style = row === undefined ? 'bold' : columns[i]?.[2]?.(row);
          return style === undefined || cell === '' ? padded : paint(style, padded);
        })
        .join('  ')
        .trimEnd();
    })
    .join('\n');
}
