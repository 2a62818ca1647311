// DBNet post-processing: probability map -> text quads (PaddleOCR's DBPostProcess, "fast" score).
// Binarise, label 8-connected regions, take each region's minimum-area rectangle, keep it when
// the mean probability inside is high enough, and grow it by the unclip distance.
import type { Quad } from './quad.js';

export interface DbOptions {
  /** Pixel threshold of the binary map. @default 0.3 */
  threshold?: number;
  /** Least mean probability inside a box. @default 0.6 */
  boxThreshold?: number;
  /** Unclip distance = area * ratio / perimeter, for the text box (layout, reading order). @default 1.5 */
  unclipRatio?: number;
  /** The same for the recognition crop, which reads better with a little more margin. @default unclipRatio */
  cropUnclipRatio?: number;
  /** Boxes whose short side is under this (map pixels) are dropped. @default 3 */
  minSize?: number;
  /** At most this many regions are considered. @default 1000 */
  maxCandidates?: number;
}

export const DEFAULT_DB_THRESHOLD = 0.3;
export const DEFAULT_DB_BOX_THRESHOLD = 0.6;
export const DEFAULT_UNCLIP_RATIO = 1.5;
export const DEFAULT_DB_MIN_SIZE = 3;
export const DEFAULT_DB_MAX_CANDIDATES = 1000;

export interface DetectedBox {
  /** The text box, in the coordinates of the original image. */
  quad: Quad;
  /** The region to cut out for recognition (grown by cropUnclipRatio). */
  cropQuad: Quad;
  score: number;
}

type Pt = [number, number];

/**
 * `prob` is the [H,W] map of one image; boxes are scaled by (scaleX, scaleY) into the original
 * image and clipped to (origWidth, origHeight).
 */
export function boxesFromProbabilityMap(
  prob: Float32Array,
  width: number,
  height: number,
  target: { scaleX: number; scaleY: number; origWidth: number; origHeight: number },
  options: DbOptions = {},
): DetectedBox[] {
  const threshold = options.threshold ?? DEFAULT_DB_THRESHOLD;
  const boxThreshold = options.boxThreshold ?? DEFAULT_DB_BOX_THRESHOLD;
  const unclipRatio = options.unclipRatio ?? DEFAULT_UNCLIP_RATIO;
  const cropUnclipRatio = options.cropUnclipRatio ?? unclipRatio;
  const minSize = options.minSize ?? DEFAULT_DB_MIN_SIZE;
  const maxCandidates = options.maxCandidates ?? DEFAULT_DB_MAX_CANDIDATES;

  const labels = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  const boxes: DetectedBox[] = [];
  let regions = 0;
  for (let start = 0; start < prob.length && regions < maxCandidates; start++) {
    if (labels[start] !== 0 || prob[start]! <= threshold) continue;
    regions++;
    // flood fill, recording each row's leftmost and rightmost pixel: the hull needs no more
    const rowMin = new Map<number, number>();
    const rowMax = new Map<number, number>();
    let top = 0;
    stack[top++] = start;
    labels[start] = regions;
    while (top > 0) {
      const p = stack[--top]!;
      const y = (p / width) | 0;
      const x = p - y * width;
      const lo = rowMin.get(y);
      if (lo === undefined || x < lo) rowMin.set(y, x);
      const hi = rowMax.get(y);
      if (hi === undefined || x > hi) rowMax.set(y, x);
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if ((dx === 0 && dy === 0) || nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (labels[q] === 0 && prob[q]! > threshold) {
            labels[q] = regions;
            stack[top++] = q;
          }
        }
      }
    }
    const points: Pt[] = [];
    for (const [y, x] of rowMin) points.push([x, y], [rowMax.get(y)!, y]);
    const rect = minAreaRect(points);
    if (Math.min(rect.w, rect.h) < minSize) continue;
    const score = meanInside(prob, width, height, rect.corners);
    if (score < boxThreshold) continue;
    const area = rect.w * rect.h;
    const perimeter = 2 * (rect.w + rect.h);
    const grow = (ratio: number): Rect => growRect(rect, perimeter > 0 ? (area * ratio) / perimeter : 0);
    const grown = grow(unclipRatio);
    if (Math.min(grown.w, grown.h) < minSize + 2) continue;
    const toImage = (r: Rect): Quad =>
      orderCorners(r.corners).map(([x, y]) => [
        clamp(Math.round(x * target.scaleX), 0, target.origWidth),
        clamp(Math.round(y * target.scaleY), 0, target.origHeight),
      ]) as Quad;
    const quad = toImage(grown);
    boxes.push({ quad, cropQuad: cropUnclipRatio === unclipRatio ? quad : toImage(grow(cropUnclipRatio)), score });
  }
  return boxes;
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

interface Rect {
  /** Centre, unit axis along the side of length w, and side lengths. */
  cx: number;
  cy: number;
  ux: number;
  uy: number;
  w: number;
  h: number;
  corners: Pt[];
}

function convexHull(points: Pt[]): Pt[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length < 3) return pts;
  const cross = (o: Pt, a: Pt, b: Pt): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Pt[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Pt[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** Minimum-area enclosing rectangle by rotating each hull edge onto the x axis. */
export function minAreaRect(points: Pt[]): Rect {
  const hull = convexHull(points);
  let best: Rect | undefined;
  let bestArea = Infinity;
  const n = hull.length;
  const edges = n < 2 ? [[1, 0] as Pt] : hull.map((p, i) => [hull[(i + 1) % n]![0] - p[0], hull[(i + 1) % n]![1] - p[1]] as Pt);
  for (const [ex, ey] of edges) {
    const len = Math.hypot(ex, ey);
    if (len === 0) continue;
    const ux = ex / len;
    const uy = ey / len;
    let minA = Infinity;
    let maxA = -Infinity;
    let minB = Infinity;
    let maxB = -Infinity;
    for (const [x, y] of hull) {
      const a = x * ux + y * uy;
      const b = -x * uy + y * ux;
      if (a < minA) minA = a;
      if (a > maxA) maxA = a;
      if (b < minB) minB = b;
      if (b > maxB) maxB = b;
    }
    const area = (maxA - minA) * (maxB - minB);
    if (area < bestArea) {
      bestArea = area;
      const ca = (minA + maxA) / 2;
      const cb = (minB + maxB) / 2;
      best = makeRect(ca * ux - cb * uy, ca * uy + cb * ux, ux, uy, maxA - minA, maxB - minB);
    }
  }
  return best ?? makeRect(hull[0]?.[0] ?? 0, hull[0]?.[1] ?? 0, 1, 0, 0, 0);
}

function makeRect(cx: number, cy: number, ux: number, uy: number, w: number, h: number): Rect {
  const ax = (ux * w) / 2;
  const ay = (uy * w) / 2;
  const bx = (-uy * h) / 2;
  const by = (ux * h) / 2;
  const corners: Pt[] = [
    [cx - ax - bx, cy - ay - by],
    [cx + ax - bx, cy + ay - by],
    [cx + ax + bx, cy + ay + by],
    [cx - ax + bx, cy - ay + by],
  ];
  return { cx, cy, ux, uy, w, h, corners };
}

/** Offsetting a rectangle by d and taking the enclosing rectangle adds d on every side. */
function growRect(r: Rect, d: number): Rect {
  return makeRect(r.cx, r.cy, r.ux, r.uy, r.w + 2 * d, r.h + 2 * d);
}

/** [tl, tr, br, bl] as PaddleOCR orders them: by x, then by y within the left and right pairs. */
export function orderCorners(corners: Pt[]): Pt[] {
  const s = [...corners].sort((a, b) => a[0] - b[0]);
  const [l0, l1, r0, r1] = s as [Pt, Pt, Pt, Pt];
  const [tl, bl] = l0[1] <= l1[1] ? [l0, l1] : [l1, l0];
  const [tr, br] = r0[1] <= r1[1] ? [r0, r1] : [r1, r0];
  return [tl, tr, br, bl];
}

/** Mean of the map over the pixels inside a convex polygon (scanline fill). */
function meanInside(prob: Float32Array, width: number, height: number, poly: Pt[]): number {
  const ys = poly.map((p) => p[1]);
  const y0 = clamp(Math.floor(Math.min(...ys)), 0, height - 1);
  const y1 = clamp(Math.ceil(Math.max(...ys)), 0, height - 1);
  let sum = 0;
  let count = 0;
  for (let y = y0; y <= y1; y++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < poly.length; i++) {
      const [ax, ay] = poly[i]!;
      const [bx, by] = poly[(i + 1) % poly.length]!;
      if ((y < ay && y < by) || (y > ay && y > by)) continue;
      if (ay === by) {
        lo = Math.min(lo, ax, bx);
        hi = Math.max(hi, ax, bx);
      } else {
        const x = ax + ((y - ay) * (bx - ax)) / (by - ay);
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
    if (lo > hi) continue;
    const xa = clamp(Math.round(lo), 0, width - 1);
    const xb = clamp(Math.round(hi), 0, width - 1);
    const row = y * width;
    for (let x = xa; x <= xb; x++) sum += prob[row + x]!;
    count += xb - xa + 1;
  }
  return count > 0 ? sum / count : 0;
}
