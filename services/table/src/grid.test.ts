// The model-free table: grids from rulings and from word alignment, spans, HTML and GFM.
import type { BBox, Ruling, TextLine } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { buildGrid } from './grid.js';
import { tableGfm, tableHtml } from './structure.js';

/** A word `text` whose box starts at x, on the row whose top is y (20 px high, 10 px a character). */
const word = (text: string, x: number, y: number): TextLine => ({ text, bbox: [x, y, x + 10 * text.length, y + 20], confidence: 1 });
const h = (y: number, x0 = 0, x1 = 600): Ruling => ({ x0, y0: y, x1, y1: y });
const v = (x: number, y0 = 0, y1 = 160): Ruling => ({ x0: x, y0, x1: x, y1 });
const BOX: BBox = [0, 0, 600, 160];

describe('buildGrid', () => {
  it('reads an unruled table from the gaps between its columns, as GFM and HTML', () => {
    const words = [word('Name', 10, 10), word('Value', 300, 10), word('alpha', 10, 50), word('1.0', 300, 50), word('beta', 10, 90), word('2.5', 300, 90)];
    const table = buildGrid({ bbox: BOX, words, rulings: [] })!;
    expect(tableHtml(table)).toBe('<table><tr><td>Name</td><td>Value</td></tr><tr><td>alpha</td><td>1.0</td></tr><tr><td>beta</td><td>2.5</td></tr></table>');
    expect(tableGfm(table)).toBe('| Name | Value |\n| --- | --- |\n| alpha | 1.0 |\n| beta | 2.5 |');
  });

  it('joins the words of one cell and keeps a word that runs across a column gap as a colspan', () => {
    const words = [word('Results of the whole run', 10, 10), word('a', 10, 50), word('b', 200, 50), word('c', 400, 50), word('1', 10, 90), word('2', 200, 90), word('3', 400, 90), word('4', 10, 130), word('5', 200, 130), word('6', 400, 130), word('x', 10, 170), word('y', 200, 170), word('z', 400, 170)];
    const table = buildGrid({ bbox: [0, 0, 600, 200], words, rulings: [] })!;
    expect(tableHtml(table)).toBe('<table><tr><td colspan="2">Results of the whole run</td><td></td></tr><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>1</td><td>2</td><td>3</td></tr><tr><td>4</td><td>5</td><td>6</td></tr><tr><td>x</td><td>y</td><td>z</td></tr></table>');
    expect(tableGfm(table)).toBeUndefined();
  });

  it('reads a full grid from its rulings, with a rowspan where a horizontal ruling stops and a colspan where a vertical one does', () => {
    // 3 columns (0-200-400-600), 4 rows (0-40-80-120-160); "Group" spans rows 2-3 of column 1;
    // "Header" spans columns 2-3 of row 1
    const rulings = [h(0), h(40), h(80, 200, 600), h(120), h(160), v(0), v(200), v(400, 40, 160), v(600)];
    const words = [word('Key', 10, 10), word('Header', 250, 10), word('Group', 10, 70), word('a1', 210, 50), word('a2', 410, 50), word('b1', 210, 90), word('b2', 410, 90), word('c0', 10, 130), word('c1', 210, 130), word('c2', 410, 130)];
    const table = buildGrid({ bbox: BOX, words, rulings })!;
    expect(tableHtml(table)).toBe(
      '<table><tr><td>Key</td><td colspan="2">Header</td></tr><tr><td rowspan="2">Group</td><td>a1</td><td>a2</td></tr><tr><td>b1</td><td>b2</td></tr><tr><td>c0</td><td>c1</td><td>c2</td></tr></table>',
    );
  });

  it('keeps the two lines of a wrapped cell in one cell of a ruled grid', () => {
    const rulings = [h(0), h(60), h(100), v(0), v(300), v(600)];
    const words = [word('first', 10, 5), word('line', 10, 32), word('Value', 310, 20), word('a', 10, 70), word('b', 310, 70)];
    const table = buildGrid({ bbox: [0, 0, 600, 100], words, rulings })!;
    expect(tableGfm(table)).toBe('| first line | Value |\n| --- | --- |\n| a | b |');
  });

  it('finds no table in a single column of text', () => {
    const words = [word('one line of text', 10, 10), word('another line here', 10, 40), word('and a third one', 10, 70)];
    expect(buildGrid({ bbox: BOX, words, rulings: [] })).toBeUndefined();
  });
});
