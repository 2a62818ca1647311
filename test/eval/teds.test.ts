import { describe, expect, it } from 'vitest';
import { tableTree, teds } from './teds.js';

const TRUTH = '<table><thead><tr><th rowspan="2">Name</th><th colspan="2">Value</th></tr></thead><tbody><tr><td>a</td><td>b</td></tr></tbody></table>';

describe('TEDS', () => {
  it('reads the table tree: rows and cells, spans, cell text; th is a cell', () => {
    const tree = tableTree(TRUTH)!;
    expect(tree.children.map((r) => r.children.map((c) => [c.text, c.colspan, c.rowspan]))).toEqual([
      [
        ['Name', 1, 2],
        ['Value', 2, 1],
      ],
      [
        ['a', 1, 1],
        ['b', 1, 1],
      ],
    ]);
  });

  it('is 1 for the same table, and counts edits against the larger tree', () => {
    expect(teds(TRUTH, TRUTH)).toBe(1);
    // the same structure with one cell's text changed entirely: one rename of cost 1 over 7 nodes
    const changed = TRUTH.replace('<td>a</td>', '<td>z</td>');
    expect(teds(changed, TRUTH)).toBeCloseTo(1 - 1 / 7, 10);
    expect(teds(changed, TRUTH, { structureOnly: true })).toBe(1);
    // no spans: the two header cells are renamed (cost 1 each); structure only as well
    const flat = '<table><tr><td>Name</td><td>Value</td></tr><tr><td>a</td><td>b</td></tr></table>';
    expect(teds(flat, TRUTH, { structureOnly: true })).toBeCloseTo(1 - 2 / 7, 10);
    // a missing row: 3 deletions
    expect(teds('<table><tr><th rowspan="2">Name</th><th colspan="2">Value</th></tr></table>', TRUTH)).toBeCloseTo(1 - 3 / 7, 10);
  });

  it('is 0 without a predicted table', () => {
    expect(teds(undefined, TRUTH)).toBe(0);
    expect(teds('<p>no table</p>', TRUTH)).toBe(0);
  });
});
