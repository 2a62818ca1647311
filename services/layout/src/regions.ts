// Non-text regions of a text-layer page: figures from image rectangles and tables from rulings.
// Text lines inside such a region belong to it (figure labels, table cells), not to paragraphs.
import type { BBox, Ruling } from '@paperline/contracts';
import { boxHeight, boxWidth, overlap1d, unionBoxes } from '@paperline/vision';

export interface RegionOptions {
  /** Image rectangles closer than this (px) are one figure (tiles, or the panels of one figure). @default 16 */
  figureMergeGap: number;
  /** A figure smaller than this share of the page area is decoration (a logo, a bullet). @default 0.002 */
  minFigureArea: number;
  /** Horizontal rulings needed to call a stack of them a table. @default 3 */
  minTableRulings: number;
  /** Largest vertical gap (px) between rulings of one table. @default 240 */
  maxTableRulingGap: number;
}

export const DEFAULT_REGION_OPTIONS: Readonly<RegionOptions> = Object.freeze({
  figureMergeGap: 16,
  minFigureArea: 0.002,
  minTableRulings: 3,
  maxTableRulingGap: 240,
});

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

/**
 * Table regions: stacks of horizontal rulings of similar extent (the booktabs style of papers, or
 * full grids). The region spans the rulings and, for open-bottom styles, nothing more.
 */
export function tableBoxes(rulings: readonly Ruling[], options = DEFAULT_REGION_OPTIONS): BBox[] {
  const horizontal = rulings.filter((r) => r.y0 === r.y1 && r.x1 - r.x0 > 0).sort((a, b) => a.y0 - b.y0);
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

/** Whether most of `inner` lies inside `outer`. */
export function mostlyInside(inner: BBox, outer: BBox, share = 0.6): boolean {
  const area = Math.max(1, boxWidth(inner) * boxHeight(inner));
  const common = overlap1d(inner[0], inner[2], outer[0], outer[2]) * overlap1d(inner[1], inner[3], outer[1], outer[3]);
  return common >= share * area;
}
