// The detector's scaling and second pass, through the model seam with a stand-in model.
import { describe, expect, it } from 'vitest';
import { TextDetector } from './detector.js';
import type { LoadedModel, Tensor } from './model-loader.js';
import { tensor } from './model-loader.js';
import { quadSize } from './quad.js';

/** A model that "sees" text lines `lineHeight` map pixels high, every 3 line heights, at any input size. */
function fakeDet(lineHeight: (h: number, w: number) => number, calls: number[][]): LoadedModel {
  return {
    outputNames: ['out'],
    async run(feeds: Record<string, Tensor>) {
      const [, , h, w] = feeds.x!.dims as number[];
      calls.push([h!, w!]);
      const prob = new Float32Array(h! * w!);
      const lh = lineHeight(h!, w!);
      for (let top = lh; top + lh < h!; top += 3 * lh) {
        for (let y = top; y < top + lh; y++) for (let x = Math.floor(w! * 0.1); x < Math.floor(w! * 0.9); x++) prob[y * w! + x] = 0.9;
      }
      return { out: tensor(prob, [1, 1, h!, w!]) };
    },
    async release() {},
  };
}

const image = (width: number, height: number) => ({ data: new Uint8Array(width * height * 3).fill(255), width, height });

describe('TextDetector', () => {
  it('scales the longer side down to the limit, in multiples of 32, and maps boxes back', async () => {
    const calls: number[][] = [];
    const det = new TextDetector(fakeDet(() => 16, calls));
    const boxes = await det.detect(image(2000, 1000));
    expect(calls).toEqual([[480, 960]]);
    expect(boxes.length).toBeGreaterThan(5);
    for (const b of boxes) expect(Math.max(...b.quad.map((p) => p[0]))).toBeLessThanOrEqual(2000);
  });

  it('detects again at a larger scale when the text is small print', async () => {
    const calls: number[][] = [];
    // text 4 map pixels high at 960 (under 12 once unclipped), proportionally more at larger scales
    const det = new TextDetector(fakeDet((h) => Math.round((4 * h) / 480), calls));
    const boxes = await det.detect(image(2000, 1000));
    expect(calls).toHaveLength(2);
    expect(calls[1]![1]).toBeGreaterThan(960);
    expect(calls[1]![1]).toBeLessThanOrEqual(2016);
    expect(boxes.length).toBeGreaterThan(5);
    expect(quadSize(boxes[0]!.quad).height).toBeGreaterThan(12);
  });

  it('does not detect twice when turned off or when the image is already at full size', async () => {
    const calls: number[][] = [];
    const det = new TextDetector(fakeDet(() => 6, calls), { minTextHeight: 0 });
    await det.detect(image(2000, 1000));
    await new TextDetector(fakeDet(() => 6, calls)).detect(image(640, 320));
    expect(calls).toEqual([
      [480, 960],
      [320, 640],
    ]);
  });
});
