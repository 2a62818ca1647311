import { describe, expect, it } from 'vitest';
import { cropBatches, type LineCrop } from './line-crops.js';
import type { Quad } from './quad.js';
import type { RgbImage } from './raster.js';

const image: RgbImage = { width: 4000, height: 100, data: new Uint8Array(4000 * 100 * 3) };
/** A 48-px-high line `width` px wide: at recognition height it keeps that width. */
const line = (width: number): LineCrop => ({ image, quad: [[0, 0], [width, 0], [width, 48], [0, 48]] as Quad });

describe('cropBatches', () => {
  const shape = { height: 48, minWidth: 320, fixedWidth: false, batchSize: 8, maxBatchWidth: 2560 };

  it('sorts by width, pads each batch to its widest line, and caps crops x width', () => {
    const widths = [2400, 100, 600, 300, 1200, 640, 650, 200, 320, 330, 2000];
    const batches = [...cropBatches(widths.map(line), shape)];
    const summary = batches.map((b) => ({ width: b.dims[3], lines: b.indices.map((i) => widths[i]) }));
    expect(summary).toEqual([
      { width: 330, lines: [100, 200, 300, 320, 330] }, // the 600 would make 6 x 600 > 2,560
      { width: 650, lines: [600, 640, 650] },
      { width: 1200, lines: [1200] },
      { width: 2000, lines: [2000] },
      { width: 2400, lines: [2400] }, // a line wider than the cap still gets its batch
    ]);
    for (const b of batches) {
      expect(b.indices.length).toBeLessThanOrEqual(8);
      expect(b.indices.length === 1 || b.indices.length * b.dims[3] <= 2560).toBe(true);
      expect(b.data.length).toBe(b.indices.length * 3 * 48 * b.dims[3]);
    }
    expect(batches.flatMap((b) => b.indices).sort((a, b) => a - b)).toEqual(widths.map((_, i) => i));
  });

  it('never batches crops of different groups together, so a group batches the same alone or mixed', () => {
    const page = [400, 900, 380, 1000];
    const others = [390, 410, 950];
    const alone = [...cropBatches(page.map((w) => ({ ...line(w), group: 0 })), shape)].map((b) => ({ width: b.dims[3], lines: b.indices.map((i) => page[i]) }));
    const crops = [...others.map((w) => ({ ...line(w), group: 0 })), ...page.map((w) => ({ ...line(w), group: 1 }))];
    const mixed = [...cropBatches(crops, shape)];
    const groups = mixed.map((b) => new Set(b.indices.map((i) => crops[i]!.group)));
    expect(groups.every((g) => g.size === 1)).toBe(true);
    const ofPage = mixed.filter((b) => crops[b.indices[0]!]!.group === 1).map((b) => ({ width: b.dims[3], lines: b.indices.map((i) => page[i - others.length]) }));
    expect(ofPage).toEqual(alone);
    expect(alone).toEqual([
      { width: 400, lines: [380, 400] },
      { width: 1000, lines: [900, 1000] },
    ]);
  });
});
