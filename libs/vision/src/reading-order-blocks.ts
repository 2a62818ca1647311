// Text lines to blocks (paragraphs): a line joins the block above it when the vertical gap is
// small, the two overlap horizontally and their heights are alike; a line on the same row right
// next to the block's last line (a detector that split one line at a wide space) joins that row.
import type { BBox } from '@paperline/contracts';
import { boxHeight, boxWidth, overlap1d, unionBoxes } from './geometry.js';

export interface LineGroupingOptions {
  /** Largest gap between a block's last row and the next line, in line heights. @default 1.0 */
  maxLineGap?: number;
  /** Least horizontal overlap, as a share of the narrower of the two. @default 0.4 */
  minOverlap?: number;
  /** Largest ratio of the two line heights. @default 1.5 */
  maxHeightRatio?: number;
  /** Largest gap to the right of a row's last line that still continues the row, in line heights. @default 0.6 */
  maxRowGap?: number;
}

export const DEFAULT_MAX_LINE_GAP = 1.0;
export const DEFAULT_MIN_OVERLAP = 0.4;
export const DEFAULT_MAX_HEIGHT_RATIO = 1.5;
export const DEFAULT_MAX_ROW_GAP = 0.6;

export interface LineBlock<T> {
  bbox: BBox;
  /** In reading order: rows top to bottom, each left to right. */
  lines: T[];
}

interface OpenBlock<T> {
  lines: T[];
  /** Union of the lines of the block's last row. */
  row: BBox;
  /** Height of one line of the last row. */
  lineHeight: number;
}

export function groupLinesIntoBlocks<T extends { bbox: BBox }>(lines: T[], options: LineGroupingOptions = {}): LineBlock<T>[] {
  const maxLineGap = options.maxLineGap ?? DEFAULT_MAX_LINE_GAP;
  const minOverlap = options.minOverlap ?? DEFAULT_MIN_OVERLAP;
  const maxHeightRatio = options.maxHeightRatio ?? DEFAULT_MAX_HEIGHT_RATIO;
  const maxRowGap = options.maxRowGap ?? DEFAULT_MAX_ROW_GAP;
  const sorted = [...lines].sort((a, b) => a.bbox[1] + a.bbox[3] - (b.bbox[1] + b.bbox[3]) || a.bbox[0] - b.bbox[0]);
  const blocks: OpenBlock<T>[] = [];

  const alike = (h1: number, h2: number): boolean => Math.max(h1, h2) <= maxHeightRatio * Math.max(1, Math.min(h1, h2));

  for (const line of sorted) {
    const b = line.bbox;
    const h = Math.max(1, boxHeight(b));
    let sameRow: OpenBlock<T> | undefined;
    let below: OpenBlock<T> | undefined;
    let belowGap = Infinity;
    for (const block of blocks) {
      const row = block.row;
      if (!alike(h, block.lineHeight)) continue;
      const vOverlap = overlap1d(b[1], b[3], row[1], row[3]);
      const xGap = b[0] - row[2];
      if (vOverlap >= 0.5 * Math.min(h, block.lineHeight) && xGap >= -0.2 * h && xGap <= maxRowGap * h) {
        sameRow = block;
        break;
      }
      const gap = b[1] - row[3];
      const hOverlap = overlap1d(b[0], b[2], row[0], row[2]);
      const narrower = Math.max(1, Math.min(boxWidth(b), boxWidth(row)));
      if (gap > -0.5 * h && gap <= maxLineGap * h && hOverlap >= minOverlap * narrower && gap < belowGap) {
        below = block;
        belowGap = gap;
      }
    }
    if (sameRow) {
      sameRow.lines.push(line);
      sameRow.row = unionBoxes([sameRow.row, b]);
    } else if (below) {
      below.lines.push(line);
      below.row = b;
      below.lineHeight = h;
    } else {
      blocks.push({ lines: [line], row: b, lineHeight: h });
    }
  }
  return blocks.map((block) => ({ bbox: unionBoxes(block.lines.map((l) => l.bbox)), lines: block.lines }));
}
