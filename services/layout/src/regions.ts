// Non-text regions of a text-layer page: figures from image rectangles (tables from rulings are
// found by vision's rulingTableBoxes). Text lines inside such a region belong to it (figure
// labels, table cells), not to paragraphs; a chart's axis labels lie just outside its plot.
import type { BBox, Ruling, TextLine } from '@paperline/contracts';
import { boxHeight, boxWidth, overlap1d, unionBoxes } from '@paperline/vision';
import type { TextLayerLine } from './lines.js';

export interface RegionOptions {
  /** Image rectangles closer than this (px) are one figure (tiles, or the panels of one figure). @default 16 */
  figureMergeGap: number;
  /** A figure smaller than this share of the page area is decoration (a logo, a bullet). @default 0.002 */
  minFigureArea: number;
  /** Horizontal rulings needed to call a stack of them a table. @default 3 */
  minTableRulings: number;
  /** Largest vertical gap (px) between rulings of one table. @default 240 */
  maxTableRulingGap: number;
  /** How far around a figure its axis labels may sit, in font sizes of the label. @default 3 */
  chartLabelMargin: number;
  /** Longest label of a chart (characters); longer lines are running text. @default 32 */
  maxChartLabelChars: number;
}

export const DEFAULT_REGION_OPTIONS: Readonly<RegionOptions> = Object.freeze({
  figureMergeGap: 16,
  minFigureArea: 0.002,
  minTableRulings: 3,
  maxTableRulingGap: 240,
  chartLabelMargin: 3,
  maxChartLabelChars: 32,
});

/** Least rows of a table, most of them with several cells (rulings frame figures and boxed notes too). */
const MIN_TABLE_ROWS = 3;
const CAPTION = /^(?:fig(?:ure)?\.?|chart|graph|plot|exhibit)\s*[0-9IVX]+[a-z]?\s*[.:|\-—–]?/i;

function near(a: BBox, b: BBox, gap: number): boolean {
  return a[0] - gap <= b[2] && b[0] - gap <= a[2] && a[1] - gap <= b[3] && b[1] - gap <= a[3];
}

/** Image rectangles merged while they touch, small ones dropped. */
export function figureBoxes(images: readonly BBox[], page: { width: number; height: number }, options = DEFAULT_REGION_OPTIONS): BBox[] {
  let boxes = [...images];
  for (let merged = true; merged; ) {
    merged = false;
    outer: for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        if (near(boxes[i]!, boxes[j]!, options.figureMergeGap)) {
          boxes[i] = unionBoxes([boxes[i]!, boxes[j]!]);
          boxes.splice(j, 1);
          merged = true;
          break outer;
        }
      }
    }
  }
  const minArea = options.minFigureArea * page.width * page.height;
  boxes = boxes.filter((b) => boxWidth(b) * boxHeight(b) >= minArea);
  return boxes.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
}

/** Whether most of `inner` lies inside `outer`. */
export function mostlyInside(inner: BBox, outer: BBox, share = 0.6): boolean {
  const area = Math.max(1, boxWidth(inner) * boxHeight(inner));
  const common = overlap1d(inner[0], inner[2], outer[0], outer[2]) * overlap1d(inner[1], inner[3], outer[1], outer[3]);
  return common >= share * area;
}

/** Lines in rows (vertical centres within half a line): a table has rows, most with two or more cells. */
export function looksTabular(lines: readonly TextLayerLine[]): boolean {
  const centre = (b: BBox) => (b[1] + b[3]) / 2;
  const sorted = [...lines].sort((a, b) => centre(a.bbox) - centre(b.bbox));
  const rows: TextLayerLine[][] = [];
  for (const line of sorted) {
    const row = rows[rows.length - 1];
    if (row && Math.abs(centre(line.bbox) - centre(row[0]!.bbox)) <= 0.5 * Math.max(line.size, row[0]!.size)) row.push(line);
    else rows.push([line]);
  }
  return rows.length >= MIN_TABLE_ROWS && rows.filter((r) => r.length >= 2).length * 2 >= rows.length;
}

/** The lines inside a figure and the short ones just around it (axis titles, tick labels, legend). */
export function chartLabels(box: BBox, lines: readonly TextLayerLine[], options = DEFAULT_REGION_OPTIONS): TextLayerLine[] {
  return lines.filter((l) => {
    if (mostlyInside(l.bbox, box)) return true;
    if (l.text.length > options.maxChartLabelChars || CAPTION.test(l.text)) return false;
    const m = options.chartLabelMargin * l.size;
    return mostlyInside(l.bbox, [box[0] - m, box[1] - m, box[2] + m, box[3] + m], 0.9);
  });
}

/** The text of the caption closest above or below `box` and overlapping it horizontally. */
export function nearestCaption(box: BBox, blocks: ReadonlyArray<{ type: string; bbox: BBox; text: string }>): string | undefined {
  let best: { text: string; distance: number } | undefined;
  for (const block of blocks) {
    if (block.type !== 'caption' || overlap1d(block.bbox[0], block.bbox[2], box[0], box[2]) <= 0) continue;
    const distance = block.bbox[1] >= box[3] ? block.bbox[1] - box[3] : block.bbox[3] <= box[1] ? box[1] - block.bbox[3] : 0;
    if (!best || distance < best.distance) best = { text: block.text, distance };
  }
  return best && best.distance <= 0.25 * boxHeight(box) + 40 ? best.text : undefined;
}

/** A line's glyph runs as the words a table or chart stage fills its cells with. */
export function wordsOf(line: TextLayerLine): TextLine[] {
  return line.runs.filter((r) => r.text.trim() !== '').map((r) => ({ text: r.text.trim(), bbox: r.bbox, confidence: 1 }));
}

/** The rulings touching `box`, both directions (a table's grid, a chart's axes). */
export function rulingsNear(rulings: readonly Ruling[], box: BBox): Ruling[] {
  return rulings.filter((r) => overlap1d(r.x0, r.x1 + 1, box[0] - 2, box[2] + 2) > 0 && overlap1d(r.y0, r.y1 + 1, box[1] - 2, box[3] + 2) > 0);
}
