// Table regions without a layout model: ruling stacks, aligned columns of lines, rulings in pixels.
import type { BBox } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { findRasterRulings } from './raster-rulings.js';
import { alignedTableBoxes, rulingTableBoxes } from './table-regions.js';

const line = (text: string, x: number, y: number, width = 10 * text.length): { text: string; bbox: BBox } => ({ text, bbox: [x, y, x + width, y + 20] });

describe('alignedTableBoxes', () => {
  it('finds columns of short lines that pair up row by row, with the header row above them', () => {
    const lines = [line('A paragraph of running text above the table, long enough to be prose.', 0, 0)];
    lines.push(line('Sample', 0, 60), line('Recovery', 200, 60), line('Error', 400, 60));
    for (let r = 0; r < 4; r++) lines.push(line(`S${r}`, 0, 90 + 30 * r), line(`${60 + r}.5`, 200, 90 + 30 * r), line(`${r}.1`, 400, 90 + 30 * r));
    expect(alignedTableBoxes(lines)).toEqual([[0, 60, 450, 200]]);
  });

  it('finds nothing in two columns of running text', () => {
    const prose = 'a line of running text that fills its column';
    const lines = Array.from({ length: 6 }, (_, r) => [line(prose, 0, 30 * r, 440), line(prose, 480, 30 * r, 440)]).flat();
    expect(alignedTableBoxes(lines)).toEqual([]);
  });

  it('takes a stack of rulings as a table when the lines inside form rows of cells', () => {
    const lines = [line('a', 10, 10), line('b', 200, 10), line('c', 10, 40), line('d', 200, 40), line('e', 10, 70), line('f', 200, 70)];
    expect(alignedTableBoxes(lines, [[0, 0, 300, 100]])).toEqual([[0, 0, 300, 100]]);
    expect(alignedTableBoxes([line('one caption in a frame', 10, 10)], [[0, 0, 300, 100]])).toEqual([]);
  });
});

describe('rulingTableBoxes and findRasterRulings', () => {
  it('finds the rules of a grid in pixels, those that reach the image edge too, and stacks them into a table', () => {
    const width = 200;
    const height = 100;
    const data = new Uint8Array(width * height).fill(255);
    for (const y of [0, 50, 99]) for (let x = 0; x < width; x++) data[y * width + x] = 0;
    for (let y = 0; y < height; y++) data[y * width + 100] = 0;
    // a short stroke (text) is no ruling
    for (let x = 10; x < 20; x++) data[25 * width + x] = 0;
    const rulings = findRasterRulings({ data, width, height }, [10, 20]);
    expect(rulings).toEqual([
      { x0: 10, y0: 20, x1: 209, y1: 20 },
      { x0: 10, y0: 70, x1: 209, y1: 70 },
      { x0: 10, y0: 119, x1: 209, y1: 119 },
      { x0: 110, y0: 20, x1: 110, y1: 119 },
    ]);
    expect(rulingTableBoxes(rulings)).toEqual([[10, 20, 209, 119]]);
  });
});
