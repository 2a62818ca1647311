// Box arithmetic shared by reading order, line grouping and the OCR engine.
import type { BBox } from '@paperline/contracts';

export function boxWidth(b: BBox): number {
  return b[2] - b[0];
}

export function boxHeight(b: BBox): number {
  return b[3] - b[1];
}

/** Smallest box holding all of `boxes`; [0,0,0,0] for none. */
export function unionBoxes(boxes: Iterable<BBox>): BBox {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const b of boxes) {
    if (b[0] < x0) x0 = b[0];
    if (b[1] < y0) y0 = b[1];
    if (b[2] > x1) x1 = b[2];
    if (b[3] > y1) y1 = b[3];
  }
  return x0 === Infinity ? [0, 0, 0, 0] : [x0, y0, x1, y1];
}

/** Length of the overlap of [a0,a1] and [b0,b1] (0 when disjoint). */
export function overlap1d(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Another of `others` lies within `reachX` of `box` across and `reachY` up or down (edge to edge):
 * a running header or page number stands apart from the text around it, a chart's tick labels
 * have their neighbours close.
 */
export function hasNeighbour(box: BBox, others: Iterable<BBox>, reachX: number, reachY = reachX): boolean {
  for (const o of others) {
    if (o === box) continue;
    const dx = Math.max(0, o[0] - box[2], box[0] - o[2]);
    const dy = Math.max(0, o[1] - box[3], box[1] - o[3]);
    if (dx <= reachX && dy <= reachY) return true;
  }
  return false;
}
