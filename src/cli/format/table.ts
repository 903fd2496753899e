// Aligned text tables for people at a terminal. Every row of a table has the same column starts:
// a cell is padded to its column's width, and a text cell longer than the column's `max` is cut
// with "…" (numbers and money are never cut). Two spaces between columns.

/** One column of a table. */
export interface Column<T> {
  title: string;
  /** Numbers and money are right-aligned; text is left-aligned (the default). */
  align?: 'left' | 'right';
  /** Widest a text cell may be; longer ones are cut with "…". */
  max?: number;
  /** Fixed width for a streamed table (rows printed as they come). */
  width?: number;
  cell: (row: T) => string;
}

const GAP = '  ';

/** The cell text fitted to `max` (text only; right-aligned cells are never cut). */
function fit<T>(col: Column<T>, text: string): string {
  const clean = text.replace(/[\r\n\t]/g, ' ');
  if (col.align === 'right' || col.max === undefined || clean.length <= col.max) return clean;
  return `${clean.slice(0, Math.max(0, col.max - 1))}…`;
}

function pad<T>(col: Column<T>, text: string, width: number): string {
  return col.align === 'right' ? text.padStart(width) : text.padEnd(width);
}

function line<T>(cols: Column<T>[], cells: string[], widths: number[]): string {
  return cols.map((c, i) => pad(c, cells[i], widths[i])).join(GAP).trimEnd();
}

/**
 * A table laid out once all rows are in, widths from the content. Only the cell texts are kept,
 * not the rows: `add` the rows one by one, then take the `lines` (without line ends).
 */
export function collectTable<T>(cols: Column<T>[]): { add: (r: T) => void; lines: () => string[] } {
  const cells: string[][] = [];
  const widths = cols.map((c) => c.title.length);
  return {
    add(r) {
      const row = cols.map((c) => fit(c, c.cell(r)));
      row.forEach((text, i) => (widths[i] = Math.max(widths[i], text.length)));
      cells.push(row);
    },
    lines: () => [line(cols, cols.map((c) => c.title), widths), ...cells.map((row) => line(cols, row, widths))],
  };
}

/** A whole table (header and rows), widths from the content; lines without line ends. */
export function renderTable<T>(cols: Column<T>[], rows: Iterable<T>): string[] {
  const t = collectTable(cols);
  for (const r of rows) t.add(r);
  return t.lines();
}

/** A table streamed row by row with each column's fixed `width` (default: its title's). */
export function streamedTable<T>(cols: Column<T>[]): { header: string; row: (r: T) => string } {
  const widths = cols.map((c) => Math.max(c.title.length, c.width ?? 0));
  const bounded = cols.map((c, i) => (c.align === 'right' ? c : { ...c, max: Math.min(c.max ?? widths[i], widths[i]) }));
  return {
    header: line(cols, cols.map((c) => c.title), widths),
    row: (r) => line(bounded, bounded.map((c) => fit(c, c.cell(r))), widths),
  };
}
