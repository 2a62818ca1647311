import type { BBox } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import type { OcrLine } from './ocr-line.js';
import { pageBlocks } from './page-blocks.js';
import { quadFromBox } from './quad.js';

const line = (text: string, bbox: BBox): OcrLine => ({ text, bbox, confidence: 0.95, quad: quadFromBox(bbox) });

/** `count` 24-px lines every 32 px from `top`, from x0 to x1. */
const column = (name: string, x0: number, x1: number, top: number, count: number): OcrLine[] =>
  Array.from({ length: count }, (_, i) => line(`${name}${i}`, [x0, top + i * 32, x1, top + i * 32 + 24]));

describe('pageBlocks', () => {
  it('reads newspaper columns with a gutter of half a line one after the other, not row by row', () => {
    // lines of the three columns share rows; the gutters are 12 px, half a line
    const columns = [column('a', 40, 400, 200, 12), column('b', 412, 772, 200, 12), column('c', 784, 1144, 200, 12)];
    const title = line('Title', [300, 80, 900, 140]);
    const blocks = pageBlocks([title, ...columns[2]!, ...columns[0]!, ...columns[1]!], { width: 1200, height: 1700, idPrefix: 'p' });
    expect(blocks.map((b) => b.text)).toEqual(['Title', ...columns.map((c) => c.map((l) => l.text).join(' '))]);
  });
});
