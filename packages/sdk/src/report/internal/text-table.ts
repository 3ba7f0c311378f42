/** One row of a {@link textTable}, with lines printed under it (not aligned with the columns). */
export interface TextRow {
  cells: readonly string[];
  details?: readonly string[];
}

/**
 * A left-aligned table as lines, columns two spaces apart, every line indented by `indent`; each
 * row's details follow it, indented two more spaces.
 */
export function textTable(header: readonly string[], rows: readonly TextRow[], indent = '  '): string[] {
  const widths = header.map((cell) => cell.length);
  for (const row of rows) {
    for (const [index, cell] of row.cells.entries()) widths[index] = Math.max(widths[index] ?? 0, cell.length);
  }
  const line = (cells: readonly string[]) =>
    `${indent}${cells
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd()}`;
  const lines = [line(header)];
  for (const row of rows) {
    lines.push(line(row.cells));
    for (const detail of row.details ?? []) lines.push(`${indent}  ${detail}`);
  }
  return lines;
}
