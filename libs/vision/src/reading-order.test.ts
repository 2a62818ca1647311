import type { BBox } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { groupLinesIntoBlocks } from './reading-order-blocks.js';
import { readingOrder } from './reading-order.js';

interface Item {
  id: string;
  bbox: BBox;
}

const item = (id: string, x0: number, y0: number, x1: number, y1: number): Item => ({ id, bbox: [x0, y0, x1, y1] });

/** Text lines of a column: `count` lines of height 20 every 30 px from `top`. */
function column(prefix: string, x0: number, x1: number, top: number, count: number): Item[] {
  return Array.from({ length: count }, (_, i) => item(`${prefix}${i}`, x0, top + i * 30, x1, top + i * 30 + 20));
}

const ids = (items: Item[]): string[] => items.map((i) => i.id);

describe('readingOrder', () => {
  it('finds a gutter narrower than its paragraphs are tall when told the line height', () => {
    // two paragraphs of 10 lines (300 px tall) side by side, 14 px apart: 0.7 of a 20-px line
    const left = item('left', 50, 100, 493, 400);
    const right = item('right', 507, 100, 950, 400);
    const title = item('title', 100, 40, 900, 80);
    const items = [right, title, left];
    // the median item is a paragraph: its gap threshold (150 px) is wider than the gutter
    expect(ids(readingOrder(items, { pageWidth: 1000, pageHeight: 1400 }))[0]).toBe('title');
    expect(ids(readingOrder(items, { pageWidth: 1000, pageHeight: 1400, lineHeight: 20 }))).toEqual(['title', 'left', 'right']);
  });

  it('reads a spanning title, then the left column, then the right one, then a spanning footer', () => {
    const left = column('L', 50, 480, 120, 10);
    const right = column('R', 520, 950, 120, 10);
    const title = item('T', 100, 40, 900, 80);
    const footer = item('F', 50, 460, 950, 480);
    // shuffled, lines of both columns at the same heights (their gaps line up)
    const shuffled = [right[3]!, footer, left[7]!, ...right, title, ...left].filter((v, i, a) => a.indexOf(v) === i);
    const order = ids(readingOrder(shuffled, { pageWidth: 1000, pageHeight: 1400 }));
    expect(order).toEqual(['T', ...ids(left), ...ids(right), 'F']);
  });

  it('keeps columns apart when paragraph gaps in both columns line up', () => {
    const left = [...column('La', 50, 480, 100, 4), ...column('Lb', 50, 480, 250, 4)];
    const right = [...column('Ra', 520, 950, 100, 4), ...column('Rb', 520, 950, 250, 4)];
    const order = ids(readingOrder([...right, ...left], { pageWidth: 1000 }));
    expect(order).toEqual([...ids(left), ...ids(right)]);
  });

  it('reads a single column top to bottom, ignoring small noise', () => {
    const lines = column('L', 50, 900, 50, 12);
    const speck = item('noise', 920, 200, 926, 206);
    const order = ids(readingOrder([speck, ...[...lines].reverse()], { pageWidth: 1000 }));
    expect(order.filter((id) => id !== 'noise')).toEqual(ids(lines));
  });

  it('reads a table-like grid row by row', () => {
    const cells: Item[] = [];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 3; c++) cells.push(item(`r${r}c${c}`, 100 + c * 200, 100 + r * 40, 160 + c * 200, 120 + r * 40));
    const order = ids(readingOrder([...cells].reverse(), { pageWidth: 800 }));
    expect(order).toEqual(ids(cells));
  });

  it('reads side-by-side figure captions before the centred caption under both', () => {
    const a = item('a', 150, 500, 350, 520);
    const b = item('b', 650, 500, 850, 520);
    const fig = item('fig', 400, 550, 600, 570);
    const body = column('P', 100, 900, 620, 3);
    const order = ids(readingOrder([fig, ...body, b, a], { pageWidth: 1000 }));
    expect(order).toEqual(['a', 'b', 'fig', ...ids(body)]);
  });

  it('returns an empty or single list unchanged', () => {
    expect(readingOrder([])).toEqual([]);
    const one = [item('a', 0, 0, 1, 1)];
    expect(readingOrder(one)).toEqual(one);
  });
});

describe('groupLinesIntoBlocks', () => {
  it('groups lines into paragraphs by gap, overlap and height, per column', () => {
    const para1 = column('p1-', 50, 480, 100, 3);
    const para2 = column('p2-', 50, 480, 220, 2); // gap of 40 after para1: a new paragraph
    const right = column('r-', 520, 950, 100, 3);
    const heading = item('h', 50, 40, 300, 80); // twice the line height: its own block
    const blocks = groupLinesIntoBlocks([...right, ...para2, heading, ...para1]);
    const groups = blocks.map((b) => ids(b.lines)).sort((a, b) => a[0]!.localeCompare(b[0]!));
    expect(groups).toEqual([['h'], ids(para1), ids(para2), ids(right)]);
    const p1 = blocks.find((b) => b.lines[0]!.id === 'p1-0')!;
    expect(p1.bbox).toEqual([50, 100, 480, 180]);
  });

  it('joins a line split at a wide space back into its row', () => {
    const a = item('a', 50, 100, 200, 120);
    const b = item('b', 208, 101, 400, 121);
    const next = item('c', 50, 130, 400, 150);
    const blocks = groupLinesIntoBlocks([next, b, a]);
    expect(blocks.map((bl) => ids(bl.lines))).toEqual([['a', 'b', 'c']]);
  });
});
