import { describe, expect, it } from 'vitest';
import { boxesFromProbabilityMap, minAreaRect, orderCorners } from './det-postprocess.js';

function map(width: number, height: number): Float32Array {
  return new Float32Array(width * height);
}

function fillRect(m: Float32Array, width: number, x0: number, y0: number, x1: number, y1: number, p: number): void {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * width + x] = p;
}

const identity = (w: number, h: number) => ({ scaleX: 1, scaleY: 1, origWidth: w, origHeight: h });

describe('boxesFromProbabilityMap', () => {
  it('finds each confident region, unclipped by area * 1.5 / perimeter', () => {
    const m = map(200, 100);
    fillRect(m, 200, 20, 20, 120, 30, 0.9); // 100 x 10 text line
    fillRect(m, 200, 20, 60, 80, 70, 0.45); // above the pixel threshold, below the box threshold
    const boxes = boxesFromProbabilityMap(m, 200, 100, identity(200, 100));
    expect(boxes).toHaveLength(1);
    // pixel centres span 99 x 9; d = 99*9*1.5 / (2*(99+9)) = 6.19
    const [tl, tr, br, bl] = boxes[0]!.quad;
    expect(tl[0]).toBeCloseTo(20 - 6, 0);
    expect(tl[1]).toBeCloseTo(20 - 6, 0);
    expect(br[0]).toBeCloseTo(119 + 6, 0);
    expect(br[1]).toBeCloseTo(29 + 6, 0);
    expect(tr[1]).toBe(tl[1]);
    expect(bl[0]).toBe(tl[0]);
    expect(boxes[0]!.score).toBeCloseTo(0.9, 5);
  });

  it('maps boxes back to the original scale and clips them to the image', () => {
    const m = map(64, 32);
    fillRect(m, 64, 0, 0, 40, 8, 0.95);
    const boxes = boxesFromProbabilityMap(m, 64, 32, { scaleX: 2, scaleY: 2, origWidth: 128, origHeight: 64 });
    expect(boxes).toHaveLength(1);
    for (const [x, y] of boxes[0]!.quad) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
    }
    expect(boxes[0]!.quad[2][0]).toBeCloseTo((39 + 4.7) * 2, -1);
  });

  it('grows the recognition crop by its own ratio and leaves the text box as it is', () => {
    const m = map(200, 100);
    fillRect(m, 200, 20, 20, 120, 30, 0.9);
    const [same] = boxesFromProbabilityMap(m, 200, 100, identity(200, 100));
    const [split] = boxesFromProbabilityMap(m, 200, 100, identity(200, 100), { cropUnclipRatio: 2 });
    expect(same!.cropQuad).toEqual(same!.quad);
    expect(split!.quad).toEqual(same!.quad);
    // d = 99*9*2 / 216 = 8.25 instead of 6.19
    expect(split!.cropQuad[0][1]).toBeCloseTo(20 - 8, 0);
    expect(split!.cropQuad[2][0]).toBeCloseTo(119 + 8, 0);
  });

  it('drops regions whose short side is under the minimum size', () => {
    const m = map(100, 50);
    fillRect(m, 100, 10, 10, 90, 12, 0.99); // 2 px high
    expect(boxesFromProbabilityMap(m, 100, 50, identity(100, 50))).toHaveLength(0);
  });

  it('follows a slanted line with a rotated quad', () => {
    const w = 200;
    const m = map(w, 200);
    for (let t = 0; t < 100; t++) {
      const cx = 50 + t;
      const cy = 50 + t * 0.5;
      for (let dy = -4; dy <= 4; dy++) m[Math.round(cy + dy) * w + cx] = 0.9;
    }
    const boxes = boxesFromProbabilityMap(m, w, 200, identity(w, 200));
    expect(boxes).toHaveLength(1);
    const [tl, tr] = boxes[0]!.quad;
    expect((tr[1] - tl[1]) / (tr[0] - tl[0])).toBeCloseTo(0.5, 1);
  });
});

describe('minAreaRect and orderCorners', () => {
  it('fits an axis-aligned rectangle and orders corners tl, tr, br, bl', () => {
    const rect = minAreaRect([
      [0, 0],
      [10, 0],
      [10, 4],
      [0, 4],
      [5, 2],
    ]);
    expect(rect.w * rect.h).toBeCloseTo(40, 5);
    const ordered = orderCorners(rect.corners).map(([x, y]) => [Math.round(x), Math.round(y)]);
    expect(ordered).toEqual([
      [0, 0],
      [10, 0],
      [10, 4],
      [0, 4],
    ]);
  });
});
