// A recognised table as rows of cells with spans, whatever backend found it, and its two
// renderings: HTML (rowspan/colspan kept) and GitHub-flavoured Markdown (only without spans).
import type { BBox } from '@paperline/contracts';

export interface TableCell {
  text: string;
  /** @default 1 */
  rowspan: number;
  /** @default 1 */
  colspan: number;
  bbox: BBox;
}

export interface TableRow {
  cells: TableCell[];
  /** A header row (`<thead>`). */
  header: boolean;
}

export interface TableStructure {
  rows: TableRow[];
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function hasSpans(table: TableStructure): boolean {
  return table.rows.some((r) => r.cells.some((c) => c.rowspan > 1 || c.colspan > 1));
}

/** Number of grid columns: the widest row counted with its colspans. */
export function columnCount(table: TableStructure): number {
  return Math.max(0, ...table.rows.map((r) => r.cells.reduce((n, c) => n + c.colspan, 0)));
}

export function tableHtml(table: TableStructure): string {
  const cell = (c: TableCell) =>
    `<td${c.rowspan > 1 ? ` rowspan="${c.rowspan}"` : ''}${c.colspan > 1 ? ` colspan="${c.colspan}"` : ''}>${escapeHtml(c.text)}</td>`;
  const rows = (rs: TableRow[]) => rs.map((r) => `<tr>${r.cells.map(cell).join('')}</tr>`).join('');
  const head = table.rows.filter((r) => r.header);
  const body = table.rows.filter((r) => !r.header);
  return `<table>${head.length ? `<thead>${rows(head)}</thead>` : ''}${head.length ? `<tbody>${rows(body)}</tbody>` : rows(body)}</table>`;
}

const escapeGfm = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();

/**
 * GFM pipe table, or undefined when the table has merged cells (GFM has none) or no rows.
 * The first row is the header: GFM needs one, and a table without a marked header row still reads best that way.
 */
export function tableGfm(table: TableStructure): string | undefined {
  if (table.rows.length === 0 || hasSpans(table)) return undefined;
  const width = columnCount(table);
  if (width === 0) return undefined;
  const line = (r: TableRow) => `| ${Array.from({ length: width }, (_, i) => escapeGfm(r.cells[i]?.text ?? '')).join(' | ')} |`;
  const [first, ...rest] = table.rows;
  return [line(first!), `|${' --- |'.repeat(width)}`, ...rest.map(line)].join('\n');
}

/** The table's text, row by row, cells separated by ' | ': the block's plain text. */
export function tableText(table: TableStructure): string {
  return table.rows.map((r) => r.cells.map((c) => c.text).join(' | ')).join('\n');
}
