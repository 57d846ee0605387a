/** Plain-text tables for command output: a header row, columns padded to their widest cell. */

export type Row = Record<string, string | number | boolean | null>;
export type Column = [title: string, cell: (row: Row) => string];

export function table(rows: readonly Row[], columns: readonly Column[]): string {
  const cells = [columns.map(([title]) => title), ...rows.map((row) => columns.map(([, cell]) => cell(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  return cells
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
