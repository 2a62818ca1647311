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

  it('makes short blocks of tall lines headings, levels ranked by line height', () => {
    const lines = [
      line('Annual Report', [100, 40, 700, 100]), // 60 px
      line('1. Results', [100, 160, 400, 200]), // 40 px
      ...column('body', 100, 1000, 230, 4),
      line('2. Outlook', [100, 400, 400, 442]), // 42 px: the same level as 1. Results
      ...column('more', 100, 1000, 470, 3),
    ];
    const blocks = pageBlocks(lines, { width: 1100, height: 1400, idPrefix: 'p' });
    expect(blocks.map((b) => [b.type, b.level, b.text.split(' ')[0]])).toEqual([
      ['title', 1, 'Annual'],
      ['heading', 2, '1.'],
      ['text', undefined, 'body0'],
      ['heading', 2, '2.'],
      ['text', undefined, 'more0'],
    ]);
  });
});
