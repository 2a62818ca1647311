// Where a page's tables are, without a layout model: stacks of horizontal rulings of similar
// extent (vector rulings of a text layer, or rulings found in a scan's pixels), and runs of text
// rows whose lines line up in columns (an unruled table on a scan, read from OCR line geometry).
import type { BBox, Ruling } from '@paperline/contracts';
import { boxHeight, median, overlap1d, unionBoxes } from './geometry.js';
import { groupLinesIntoBlocks, type LineBlock } from './reading-order-blocks.js';

export interface RulingTableOptions {
  /** Horizontal rulings needed to call a stack of them a table. @default 3 */
  minTableRulings: number;
  /** Largest vertical gap (px) between rulings of one table. @default 240 */
  maxTableRulingGap: number;
}

export const DEFAULT_RULING_TABLE_OPTIONS: Readonly<RulingTableOptions> = Object.freeze({ minTableRulings: 3, maxTableRulingGap: 240 });

/**
 * Table regions: stacks of horizontal rulings of similar extent (the booktabs style of papers, or
 * full grids). The region spans the rulings and, for open-bottom styles, nothing more.
 */
export function rulingTableBoxes(rulings: readonly Ruling[], options: RulingTableOptions = DEFAULT_RULING_TABLE_OPTIONS): BBox[] {
  const horizontal = rulings.filter((r) => Math.abs(r.y1 - r.y0) <= 1 && r.x1 - r.x0 > 0).sort((a, b) => a.y0 - b.y0);
  const stacks: Ruling[][] = [];
  for (const ruling of horizontal) {
    const stack = stacks.find((s) => {
      const last = s[s.length - 1]!;
      const width = Math.min(last.x1 - last.x0, ruling.x1 - ruling.x0);
      return ruling.y0 - last.y0 <= options.maxTableRulingGap && ruling.y0 - last.y0 > 1 && overlap1d(last.x0, last.x1, ruling.x0, ruling.x1) >= 0.8 * width;
    });
    if (stack) stack.push(ruling);
    else if (!stacks.some((s) => s.some((r) => Math.abs(r.y0 - ruling.y0) <= 1 && overlap1d(r.x0, r.x1, ruling.x0, ruling.x1) > 0))) stacks.push([ruling]);
  }
  return stacks
    .filter((s) => s.length >= options.minTableRulings)
    .map((s) => unionBoxes(s.map((r): BBox => [r.x0, r.y0, r.x1, r.y1])))
    .filter((b) => boxHeight(b) > 0);
}

export interface AlignedTableOptions {
  /** Least lines of a column block. @default 3 */
  minColumnLines: number;
  /** Lines wider than this (characters, a CJK character counting 2) are running text, not cells. @default 40 */
  maxCellChars: number;
  /** Largest median line width (characters) of a column of cells. @default 20 */
  maxMedianCellChars: number;
  /** Share of the shorter column's lines that must share a row with a line of the other. @default 0.6 */
  minPairedShare: number;
  /** Least rows with cells in two or more columns, for a stack of rulings to count as a table. @default 3 */
  minRuledRows: number;
}

export const DEFAULT_ALIGNED_TABLE_OPTIONS: Readonly<AlignedTableOptions> = Object.freeze({
  minColumnLines: 3,
  maxCellChars: 40,
  maxMedianCellChars: 20,
  minPairedShare: 0.6,
  minRuledRows: 3,
});

const CJK = /[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/gu;
const charWidth = (text: string) => text.length + (text.match(CJK)?.length ?? 0);
const sameRow = (a: BBox, b: BBox) => overlap1d(a[1], a[3], b[1], b[3]) >= 0.5 * Math.min(boxHeight(a), boxHeight(b));

/**
 * Table candidates from text lines alone (a scan without a layout model). Lines group into
 * blocks as paragraphs do, and a table's columns become blocks of short lines side by side whose
 * lines pair up row by row; running text in columns has long lines. Each set of such column
 * blocks is a table, with the lines above it on its rows (a header) and any line inside it.
 * `rulingBoxes` (stacks of rulings found in the pixels) widen a candidate they overlap to the
 * table's frame, and count as tables of their own when the lines inside form enough rows of cells.
 */
export function alignedTableBoxes<T extends { bbox: BBox; text: string }>(
  lines: readonly T[],
  rulingBoxes: readonly BBox[] = [],
  options: AlignedTableOptions = DEFAULT_ALIGNED_TABLE_OPTIONS,
): BBox[] {
  const blocks = groupLinesIntoBlocks([...lines]);
  const columns = blocks.filter((b) => {
    const widths = b.lines.map((l) => charWidth(l.text));
    return b.lines.length >= options.minColumnLines && Math.max(...widths) <= options.maxCellChars && median(widths) <= options.maxMedianCellChars;
  });
  const aligned = (a: LineBlock<T>, b: LineBlock<T>) => {
    if (overlap1d(a.bbox[0], a.bbox[2], b.bbox[0], b.bbox[2]) > 0) return false;
    if (overlap1d(a.bbox[1], a.bbox[3], b.bbox[1], b.bbox[3]) < 0.5 * Math.min(boxHeight(a.bbox), boxHeight(b.bbox))) return false;
    // neighbours only: a line between them on their common rows (a paragraph) parts them
    const between: BBox = [Math.min(a.bbox[2], b.bbox[2]), Math.max(a.bbox[1], b.bbox[1]), Math.max(a.bbox[0], b.bbox[0]), Math.min(a.bbox[3], b.bbox[3])];
    if (lines.some((l) => centreInside(l.bbox, between))) return false;
    const [short, long] = a.lines.length <= b.lines.length ? [a, b] : [b, a];
    const paired = short.lines.filter((l) => long.lines.some((m) => sameRow(l.bbox, m.bbox))).length;
    return paired >= options.minPairedShare * short.lines.length;
  };
  // connected sets of aligned column blocks
  const seen = new Set<number>();
  const boxes: BBox[] = [];
  columns.forEach((_, start) => {
    if (seen.has(start)) return;
    const members = [start];
    seen.add(start);
    for (let i = 0; i < members.length; i++) {
      columns.forEach((other, j) => {
        if (!seen.has(j) && aligned(columns[members[i]!]!, other)) {
          seen.add(j);
          members.push(j);
        }
      });
    }
    if (members.length >= 2) boxes.push(unionBoxes(members.map((m) => columns[m]!.bbox)));
  });
  const lineHeight = Math.max(1, median(lines.map((l) => boxHeight(l.bbox))));
  const widened = boxes.map((box) => {
    // a frame much larger than the columns is a box around a page section, not the table's rules
    const frames = rulingBoxes.filter((ruled) => intersects(ruled, box) && area(ruled) <= 3 * area(box));
    // a ruled frame is the table's extent; without one, header rows above the columns belong to it
    return frames.length > 0 ? unionBoxes([box, ...frames]) : withHeader(box, lines, lineHeight, options);
  });
  for (const ruled of rulingBoxes) {
    if (widened.some((b) => intersects(b, ruled))) continue;
    const inside = lines.filter((l) => centreInside(l.bbox, ruled));
    // framed cells may hold more text than a column of aligned cells, but not running paragraphs
    const short = inside.length > 0 && median(inside.map((l) => charWidth(l.text))) <= 2 * options.maxMedianCellChars;
    if (short && cellRows(inside, lineHeight) >= options.minRuledRows) widened.push(unionBoxes([ruled, ...inside.map((l) => l.bbox)]));
  }
  const withLines = widened.map((b) => unionBoxes([b, ...lines.filter((l) => centreInside(l.bbox, b)).map((l) => l.bbox)]));
  // two rows of two cells at the least
  return mergeOverlapping(withLines).filter((b) => lines.filter((l) => centreInside(l.bbox, b)).length >= 4);
}

/** The table's header rows: short lines just above it, within its width. */
function withHeader<T extends { bbox: BBox; text: string }>(box: BBox, lines: readonly T[], lineHeight: number, options: AlignedTableOptions): BBox {
  let b = box;
  for (let grew = true; grew; ) {
    grew = false;
    for (const line of lines) {
      const l = line.bbox;
      if (centreInside(l, b) || charWidth(line.text) > options.maxCellChars) continue;
      if (l[3] <= b[1] + 1 && b[1] - l[3] <= 1.5 * lineHeight && l[0] >= b[0] - lineHeight && l[2] <= b[2] + lineHeight) {
        b = unionBoxes([b, l]);
        grew = true;
      }
    }
  }
  return b;
}

/** Rows holding two or more lines a cell gap apart. */
function cellRows(lines: readonly { bbox: BBox }[], lineHeight: number): number {
  const sorted = [...lines].sort((a, b) => a.bbox[1] - b.bbox[1]);
  const rows: Array<{ bbox: BBox }[]> = [];
  for (const line of sorted) {
    const row = rows.find((r) => sameRow(r[0]!.bbox, line.bbox));
    if (row) row.push(line);
    else rows.push([line]);
  }
  return rows.filter((r) => r.sort((a, b) => a.bbox[0] - b.bbox[0]).some((l, i) => i > 0 && l.bbox[0] - r[i - 1]!.bbox[2] >= lineHeight)).length;
}

const area = (b: BBox) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);

function centreInside(b: BBox, box: BBox): boolean {
  const x = (b[0] + b[2]) / 2;
  const y = (b[1] + b[3]) / 2;
  return x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];
}

function intersects(a: BBox, b: BBox): boolean {
  return overlap1d(a[0], a[2], b[0], b[2]) > 0 && overlap1d(a[1], a[3], b[1], b[3]) > 0;
}

function mergeOverlapping(boxes: BBox[]): BBox[] {
  const out: BBox[] = [];
  for (const box of boxes) {
    let merged = box;
    for (let i = out.length - 1; i >= 0; i--) {
      if (intersects(out[i]!, merged)) merged = unionBoxes([merged, ...out.splice(i, 1)]);
    }
    out.push(merged);
  }
  return out.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
}
