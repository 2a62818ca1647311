// Reading order by recursive XY-cut.
//
// A node is split at gaps of its projection profiles: vertical gaps (columns) or horizontal gaps
// (bands). Plain XY-cut fails on two things that pages do all the time, so two refinements:
// - Columns whose paragraph gaps happen to line up give horizontal gaps across both columns.
//   When a node has no column gap (a full-width title spans it) we cut it into bands and then
//   glue consecutive bands back together while their union still has a column gap, so a
//   two-column stretch stays one node and is read column by column.
// - A node with both kinds of gaps is either text in columns or a grid (a table). Text columns
//   are filled by long lines (or tall blocks that do not line up across columns); grid rows line
//   up (same top, same height) across the columns and are read row by row.
import type { BBox } from '@paperline/contracts';
import { boxHeight, boxWidth, median, unionBoxes } from './geometry.js';

export interface ReadingOrderOptions {
  /** Page width in the boxes' units; scales the minimum column gap. @default extent of the items */
  pageWidth?: number;
  /** Page height in the boxes' units. @default extent of the items */
  pageHeight?: number;
  /**
   * Height of one text line, which scales the minimum column gap. Give it when the items are
   * paragraphs: their median height is several lines, too wide a gap for narrow gutters.
   * @default median height of the items
   */
  lineHeight?: number;
  /**
   * Narrowest gap between columns, in the boxes' units, for callers that know their gutters (a text
   * layer splits lines at gutters before ordering). @default from lineHeight and pageWidth
   */
  minColumnGap?: number;
  /** The page reads right to left (Arabic, Hebrew): columns, and items on one row, right first. @default false */
  rtl?: boolean;
}

/** Fraction of a box's height ignored at top and bottom, so touching lines still leave a gap. */
export const DEFAULT_VERTICAL_SLACK = 0.15;
/** A column gap is at least this many median line heights wide... */
export const DEFAULT_MIN_COLUMN_GAP_LINES = 0.5;
/** ...and at least this fraction of the page width. */
export const DEFAULT_MIN_COLUMN_GAP_PAGE = 0.005;
/** Items filling at least this much of their column's width, with this aspect, are text lines. */
const TEXT_FILL = 0.6;
const TEXT_ASPECT = 5;
/** Share of bands that must hold several items, and of those that must line up across columns, for a node to read as a grid. */
const GRID_ALIGNED_SHARE = 0.6;

interface Node<T> {
  readonly item: T;
  readonly index: number;
  readonly box: BBox;
}

interface Context {
  readonly minColumnGap: number;
  readonly slack: number;
  readonly rtl: boolean;
  readonly lineHeight: number;
}

/** Returns the items in reading order (a new array; the input is not modified). */
export function readingOrder<T extends { bbox: BBox }>(items: T[], options: ReadingOrderOptions = {}): T[] {
  if (items.length <= 1) return [...items];
  const nodes: Node<T>[] = items.map((item, index) => ({ item, index, box: item.bbox }));
  const extent = unionBoxes(items.map((i) => i.bbox));
  const pageWidth = options.pageWidth ?? boxWidth(extent);
  const lineHeight = Math.max(1, options.lineHeight ?? median(items.map((i) => boxHeight(i.bbox))));
  const ctx: Context = {
    minColumnGap: options.minColumnGap ?? Math.max(DEFAULT_MIN_COLUMN_GAP_LINES * lineHeight, DEFAULT_MIN_COLUMN_GAP_PAGE * pageWidth),
    slack: DEFAULT_VERTICAL_SLACK,
    rtl: options.rtl ?? false,
    lineHeight,
  };
  const out: Node<T>[] = [];
  cut(nodes, ctx, out);
  return out.map((n) => n.item);
}

function cut<T>(nodes: Node<T>[], ctx: Context, out: Node<T>[]): void {
  if (nodes.length <= 1) {
    out.push(...nodes);
    return;
  }
  const columns = columnsOf(nodes, ctx);
  const bands = bandsOf(nodes, ctx);
  if (columns.length === 1 && bands.length === 1) {
    out.push(...sortLeaf(nodes, ctx.rtl));
    return;
  }
  if (columns.length === 1) {
    for (const group of glueBands(bands, ctx)) cut(group, ctx, out);
    return;
  }
  if (bands.length > 1 && isGrid(bands, columns, ctx.lineHeight)) {
    for (const band of bands) cut(band, ctx, out);
    return;
  }
  for (const column of ctx.rtl ? [...columns].reverse() : columns) cut(column, ctx, out);
}

/** Groups of nodes separated by vertical gaps of at least the minimum column gap, left to right. */
function columnsOf<T>(nodes: Node<T>[], ctx: Context): Node<T>[][] {
  return segments(nodes, (b) => [b[0], b[2]], ctx.minColumnGap);
}

/** Groups of nodes separated by horizontal gaps, top to bottom. */
function bandsOf<T>(nodes: Node<T>[], ctx: Context): Node<T>[][] {
  return segments(
    nodes,
    (b) => {
      const s = boxHeight(b) * ctx.slack;
      return [b[1] + s, b[3] - s];
    },
    0,
  );
}

function segments<T>(nodes: Node<T>[], span: (b: BBox) => [number, number], minGap: number): Node<T>[][] {
  const sorted = nodes.map((n) => ({ n, s: span(n.box) })).sort((a, b) => a.s[0] - b.s[0]);
  const groups: Node<T>[][] = [];
  let current: Node<T>[] = [];
  let end = -Infinity;
  for (const { n, s } of sorted) {
    if (current.length > 0 && s[0] - end >= minGap && s[0] > end) {
      groups.push(current);
      current = [];
    }
    current.push(n);
    end = Math.max(end, s[1]);
  }
  groups.push(current);
  return groups;
}

/**
 * Consecutive bands stay together while their union still has column gaps and every column of
 * the union continues one of the group so far (a centred caption under two side-by-side figures
 * would otherwise open a column of its own between them).
 */
function glueBands<T>(bands: Node<T>[][], ctx: Context): Node<T>[][] {
  const groups: Node<T>[][] = [];
  let current: Node<T>[] = [];
  for (const band of bands) {
    if (current.length > 0) {
      const joined = [...current, ...band];
      const columns = columnsOf(joined, ctx);
      const inGroup = new Set(current);
      if (columns.length > 1 && columns.every((col) => col.some((n) => inGroup.has(n)))) {
        current = joined;
        continue;
      }
      groups.push(current);
    }
    current = band;
  }
  groups.push(current);
  return groups;
}

function isGrid<T>(bands: Node<T>[][], columns: Node<T>[][], lineHeight: number): boolean {
  const textColumns = columns.every((col) => {
    const width = boxWidth(unionBoxes(col.map((n) => n.box)));
    const fill = median(col.map((n) => boxWidth(n.box))) / Math.max(1, width);
    const aspect = median(col.map((n) => boxWidth(n.box) / Math.max(1, boxHeight(n.box))));
    return fill >= TEXT_FILL && aspect >= TEXT_ASPECT;
  });
  if (textColumns) return false;
  let multi = 0;
  let aligned = 0;
  for (const band of bands) {
    if (band.length < 2) continue;
    multi++;
    const tops = band.map((n) => n.box[1]);
    const heights = band.map((n) => boxHeight(n.box));
    const minH = Math.max(1, Math.min(...heights));
    // cells of one row start on the same line: paragraphs side by side are offset by a line or more
    const topsAligned = Math.max(...tops) - Math.min(...tops) <= 0.5 * Math.min(minH, lineHeight);
    const heightsAlike = Math.max(...heights) <= 1.5 * minH;
    if (topsAligned && heightsAlike) aligned++;
  }
  // a grid's rows hold cells of several columns; columns of text share a band only here and there
  // (headings that open both columns at one height)
  return multi >= 2 && multi >= GRID_ALIGNED_SHARE * bands.length && aligned / multi >= GRID_ALIGNED_SHARE;
}

/** Overlapping items with no gap to cut at: rows by vertical centre, each row left to right. */
function sortLeaf<T>(nodes: Node<T>[], rtl: boolean): Node<T>[] {
  const byCentre = [...nodes].sort((a, b) => a.box[1] + a.box[3] - (b.box[1] + b.box[3]) || a.index - b.index);
  const rows: Node<T>[][] = [];
  let row: Node<T>[] = [];
  let rowCentre = 0;
  let rowHeight = 0;
  for (const n of byCentre) {
    const centre = (n.box[1] + n.box[3]) / 2;
    if (row.length > 0 && Math.abs(centre - rowCentre) > 0.5 * Math.min(rowHeight, boxHeight(n.box))) {
      rows.push(row);
      row = [];
    }
    if (row.length === 0) {
      rowCentre = centre;
      rowHeight = boxHeight(n.box);
    }
    row.push(n);
  }
  rows.push(row);
  const direction = rtl ? -1 : 1;
  return rows.flatMap((r) => r.sort((a, b) => direction * (a.box[0] - b.box[0]) || a.index - b.index));
}
