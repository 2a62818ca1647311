// A table region's text lines as rows and cells: the text-layer fallback of the table stage.
import type { BBox } from '@paperline/contracts';
import type { TextLayerLine } from './lines.js';

export interface TableText {
  rows: string[][];
  text: string;
  html: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Lines whose vertical centres lie within half a line of each other form a row; cells go left to right. */
export function tableText(lines: readonly TextLayerLine[]): TableText {
  const centre = (b: BBox) => (b[1] + b[3]) / 2;
  const sorted = [...lines].sort((a, b) => centre(a.bbox) - centre(b.bbox));
  const rows: TextLayerLine[][] = [];
  for (const line of sorted) {
    const row = rows[rows.length - 1];
    if (row && Math.abs(centre(line.bbox) - centre(row[0]!.bbox)) <= 0.5 * Math.max(line.size, row[0]!.size)) row.push(line);
    else rows.push([line]);
  }
  const cells = rows.map((row) => row.sort((a, b) => a.bbox[0] - b.bbox[0]).map((l) => l.text));
  return {
    rows: cells,
    text: cells.map((row) => row.join(' | ')).join('\n'),
    html: `<table>${cells.map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</table>`,
  };
}
