// The model-free table: a cell grid from ruling lines and word alignment, with spans.
// Rows come from horizontal rulings where most text rows are ruled off (a full grid), else one
// row per text row; columns from vertical rulings where the table has them, else from the gaps
// no text row crosses. A cell merges with its neighbour where no ruling separates them (ruled
// tables) or where a word runs across the gap between them (unruled columns).
import type { BBox, Ruling, TextLine } from '@paperline/contracts';
import { boxHeight, median, overlap1d, unionBoxes } from '@paperline/vision';
import { assignWords, cellText } from './fill.js';
import type { TableCell, TableRow, TableStructure } from './structure.js';

export interface GridInput {
  /** The table region, page pixels. */
  bbox: BBox;
  words: readonly TextLine[];
  /** Vector rulings (born-digital) or rulings found in the raster (scans), page pixels. */
  rulings: readonly Ruling[];
}

export interface GridOptions {
  /** Least rows and columns of a table; fewer is no table. @default 2 */
  minRows: number;
  minColumns: number;
  /** Least gap between two columns, in median word heights. @default 0.5 */
  minColumnGap: number;
  /** Without vertical rulings, horizontal ones are the rows when there are this many per gap between text rows. @default 0.6 */
  ruledRowShare: number;
}

export const DEFAULT_GRID_OPTIONS: Readonly<GridOptions> = Object.freeze({ minRows: 2, minColumns: 2, minColumnGap: 0.5, ruledRowShare: 0.6 });

interface Band {
  start: number;
  end: number;
}

const horizontalOf = (r: Ruling) => Math.abs(r.y1 - r.y0) <= Math.abs(r.x1 - r.x0);
const mid = (b: Band) => (b.start + b.end) / 2;

/** The table's cell grid, or undefined when the words do not form at least minRows x minColumns. */
export function buildGrid(input: GridInput, options: GridOptions = DEFAULT_GRID_OPTIONS): TableStructure | undefined {
  const words = input.words.filter((w) => w.text.trim() !== '');
  if (words.length < options.minRows * options.minColumns - 1) return undefined;
  const wordHeight = Math.max(1, median(words.map((w) => boxHeight(w.bbox))));
  const tolerance = Math.max(2, 0.3 * wordHeight);
  const extent = unionBoxes([input.bbox, ...words.map((w) => w.bbox)]);
  const inside = input.rulings.filter((r) => overlap1d(Math.min(r.x0, r.x1), Math.max(r.x0, r.x1) + 1, extent[0] - tolerance, extent[2] + tolerance) > 0 && overlap1d(Math.min(r.y0, r.y1), Math.max(r.y0, r.y1) + 1, extent[1] - tolerance, extent[3] + tolerance) > 0);
  const horizontal = inside.filter(horizontalOf).map((r) => ({ y: (r.y0 + r.y1) / 2, x0: Math.min(r.x0, r.x1), x1: Math.max(r.x0, r.x1) }));
  const vertical = inside.filter((r) => !horizontalOf(r)).map((r) => ({ x: (r.x0 + r.x1) / 2, y0: Math.min(r.y0, r.y1), y1: Math.max(r.y0, r.y1) }));

  const textRows = textRowBands(words);
  const tableHeight = extent[3] - extent[1];
  const tallVertical = vertical.filter((v) => v.y1 - v.y0 >= Math.min(0.5 * tableHeight, 3 * wordHeight));
  const internalVertical = tallVertical.filter((v) => v.x > extent[0] + tolerance && v.x < extent[2] - tolerance);
  const columnsRuled = internalVertical.length > 0;
  const internalHorizontal = bandsBetween(horizontal.map((h) => h.y), extent[1], extent[3], tolerance).length - 1;
  // a full grid is read by its rulings; horizontal rules alone (booktabs) only when they part most rows
  const rowsRuled = internalHorizontal > 0 && (columnsRuled || internalHorizontal >= options.ruledRowShare * (textRows.length - 1));
  const rows = rowsRuled ? bandsBetween(horizontal.map((h) => h.y), extent[1], extent[3], tolerance) : textRows;
  const columns = columnsRuled ? bandsBetween(tallVertical.map((v) => v.x), extent[0], extent[2], tolerance) : gapColumns(words, textRows, options.minColumnGap * wordHeight);

  // drop bands that hold no word at all (double rules, a ruled margin)
  const used = (bands: Band[], axis: 0 | 1) => {
    const lo = (w: TextLine) => (axis === 0 ? w.bbox[0] : w.bbox[1]);
    const hi = (w: TextLine) => (axis === 0 ? w.bbox[2] : w.bbox[3]);
    return bands.filter((b) => words.some((w) => overlap1d(lo(w), hi(w), b.start, b.end) > 0.5 * (hi(w) - lo(w))));
  };
  const rowBands = used(rows, 1);
  const columnBands = used(columns, 0);
  if (rowBands.length < options.minRows || columnBands.length < options.minColumns) return undefined;

  const R = rowBands.length;
  const C = columnBands.length;
  const owner = new Int32Array(R * C).map((_, i) => i);
  const find = (i: number): number => (owner[i] === i ? i : (owner[i] = find(owner[i]!)));
  const union = (a: number, b: number) => (owner[find(b)] = find(a));

  for (let r = 0; r < R; r++) {
    for (let c = 0; c + 1 < C; c++) {
      const x = (columnBands[c]!.end + columnBands[c + 1]!.start) / 2;
      const y = mid(rowBands[r]!);
      const separated = columnsRuled
        ? vertical.some((v) => Math.abs(v.x - x) <= Math.max(tolerance, (columnBands[c + 1]!.start - columnBands[c]!.end) / 2) && v.y0 - tolerance <= y && v.y1 + tolerance >= y)
        : !words.some((w) => w.bbox[0] < columnBands[c]!.end - tolerance && w.bbox[2] > columnBands[c + 1]!.start + tolerance && overlap1d(w.bbox[1], w.bbox[3], rowBands[r]!.start, rowBands[r]!.end) > 0.5 * boxHeight(w.bbox));
      if (!separated) union(r * C + c, r * C + c + 1);
    }
  }
  if (rowsRuled) {
    for (let r = 0; r + 1 < R; r++) {
      const y = (rowBands[r]!.end + rowBands[r + 1]!.start) / 2;
      for (let c = 0; c < C; c++) {
        const x = mid(columnBands[c]!);
        const separated = horizontal.some((h) => Math.abs(h.y - y) <= Math.max(tolerance, (rowBands[r + 1]!.start - rowBands[r]!.end) / 2) && h.x0 - tolerance <= x && h.x1 + tolerance >= x);
        if (!separated) union(r * C + c, (r + 1) * C + c);
      }
    }
  }

  // each merged group becomes one cell spanning the rectangle it covers
  const groups = new Map<number, { r0: number; r1: number; c0: number; c1: number }>();
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const root = find(r * C + c);
      const g = groups.get(root);
      if (!g) groups.set(root, { r0: r, r1: r, c0: c, c1: c });
      else Object.assign(g, { r0: Math.min(g.r0, r), r1: Math.max(g.r1, r), c0: Math.min(g.c0, c), c1: Math.max(g.c1, c) });
    }
  }
  const spans = [...groups.values()].sort((a, b) => a.r0 - b.r0 || a.c0 - b.c0);
  const covered = new Set<number>();
  const cells: Array<{ row: number; cell: TableCell }> = [];
  for (const g of spans) {
    // a union of merges that is not a rectangle keeps only the part not already taken
    if (covered.has(g.r0 * C + g.c0)) continue;
    for (let r = g.r0; r <= g.r1; r++) for (let c = g.c0; c <= g.c1; c++) covered.add(r * C + c);
    const bbox: BBox = [columnBands[g.c0]!.start, rowBands[g.r0]!.start, columnBands[g.c1]!.end, rowBands[g.r1]!.end];
    cells.push({ row: g.r0, cell: { text: '', rowspan: g.r1 - g.r0 + 1, colspan: g.c1 - g.c0 + 1, bbox } });
  }
  const filled = assignWords(cells.map((c) => c.cell.bbox), words);
  cells.forEach((c, i) => (c.cell.text = cellText(filled[i]!)));
  const tableRows: TableRow[] = rowBands.map(() => ({ cells: [], header: false }));
  for (const { row, cell } of cells) tableRows[row]!.cells.push(cell);
  return { rows: tableRows };
}

/** Text rows: words whose vertical extents overlap by half the smaller height, top to bottom. */
function textRowBands(words: readonly TextLine[]): Band[] {
  const sorted = [...words].sort((a, b) => a.bbox[1] + a.bbox[3] - (b.bbox[1] + b.bbox[3]));
  const bands: Band[] = [];
  for (const word of sorted) {
    const band = bands[bands.length - 1];
    const h = boxHeight(word.bbox);
    if (band && overlap1d(word.bbox[1], word.bbox[3], band.start, band.end) >= 0.5 * Math.min(h, band.end - band.start)) {
      band.start = Math.min(band.start, word.bbox[1]);
      band.end = Math.max(band.end, word.bbox[3]);
    } else {
      bands.push({ start: word.bbox[1], end: word.bbox[3] });
    }
  }
  return bands;
}

/** Bands between separator positions (deduplicated within `tolerance`), from `start` to `end`. */
function bandsBetween(positions: readonly number[], start: number, end: number, tolerance: number): Band[] {
  const cuts = [start, ...positions.filter((p) => p > start + tolerance && p < end - tolerance), end].sort((a, b) => a - b);
  const unique = cuts.filter((p, i) => i === 0 || p - cuts[i - 1]! > tolerance);
  const bands: Band[] = [];
  for (let i = 0; i + 1 < unique.length; i++) bands.push({ start: unique[i]!, end: unique[i + 1]! });
  return bands;
}

/**
 * Columns of an unruled table: the x ranges no word of any text row covers (allowing the rows
 * of a spanning header to cross them) cut the table into columns.
 */
function gapColumns(words: readonly TextLine[], rows: readonly Band[], minGap: number): Band[] {
  const x0 = Math.floor(Math.min(...words.map((w) => w.bbox[0])));
  const x1 = Math.ceil(Math.max(...words.map((w) => w.bbox[2])));
  const width = x1 - x0 + 1;
  const cover = new Uint16Array(width);
  for (const row of rows) {
    const hit = new Uint8Array(width);
    for (const w of words) {
      if (overlap1d(w.bbox[1], w.bbox[3], row.start, row.end) <= 0.5 * boxHeight(w.bbox)) continue;
      for (let x = Math.max(0, Math.floor(w.bbox[0]) - x0); x <= Math.min(width - 1, Math.ceil(w.bbox[2]) - x0); x++) hit[x] = 1;
    }
    for (let x = 0; x < width; x++) cover[x]! += hit[x]!;
  }
  // a gap crossed by at most this many rows still separates columns: those rows span it
  const allowed = rows.length >= 4 ? Math.floor(rows.length * 0.2) : 0;
  const columns: Band[] = [];
  let start = 0;
  for (let x = 0; x < width; ) {
    if (cover[x]! <= allowed && x > 0) {
      let end = x;
      while (end < width && cover[end]! <= allowed) end++;
      if (end < width && end - x >= minGap) {
        columns.push({ start: x0 + start, end: x0 + x });
        start = end;
      }
      x = end;
    } else {
      x++;
    }
  }
  columns.push({ start: x0 + start, end: x1 });
  return columns;
}
