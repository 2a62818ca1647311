import { SCHEMA_VERSION, type GlyphRun, type PageTask, type PageTextLayer } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { DOCLAYOUT_BLOCK_TYPES, type DocLayoutLabel } from './doclayout-labels.js';
import type { PageDetections } from './doclayout-detector.js';
import { modelLayout } from './model-layout.js';

const ALL_ON = { table: true, formula: true, chart: true };
const run = (text: string, x: number, y: number, size = 20): GlyphRun => ({ text, bbox: [x, y - 0.8 * size, x + 0.5 * size * text.length, y + 0.2 * size], font: 'Helvetica', size, bold: false, italic: false });

const task = (raster: string | null = 'doc-m/1.png'): PageTask => ({
  v: SCHEMA_VERSION,
  docId: 'doc-m',
  page: 1,
  pageCount: 1,
  width: 1000,
  height: 1000,
  dpi: 150,
  source: { kind: 'pdf', object: 'doc-m/source' },
  raster,
  textLayer: null,
  options: { priority: 'normal', features: {}, outputFormats: ['md', 'json'] },
});

/** Detections on a raster of half the page's size. */
function found(...detections: Array<[DocLayoutLabel, number, number, number, number]>): PageDetections {
  return { width: 500, height: 500, detections: detections.map(([label, x1, y1, x2, y2]) => ({ label, type: DOCLAYOUT_BLOCK_TYPES[label], score: 0.9, bbox: [x1, y1, x2, y2] })) };
}

describe('modelLayout (PP-DocLayout detections to blocks and regions)', () => {
  it('on a born-digital page: regions take their text-layer lines, tables go to the table stage with their words, formulas with their runs, unclaimed lines stay', () => {
    const layer: PageTextLayer = {
      v: SCHEMA_VERSION,
      runs: [run('Results', 100, 100, 30), run('Name', 100, 300), run('Value', 400, 300), run('alpha', 100, 340), run('1.0', 400, 340), run('x = y', 300, 500), run('A line no region claimed.', 100, 800)],
      rulings: [{ x0: 280, y0: 505, x1: 400, y1: 505 }],
      images: [],
    };
    const result = modelLayout(task(), layer, found(['paragraph_title', 40, 30, 250, 60], ['table', 40, 130, 300, 180], ['formula', 140, 230, 220, 260]), ALL_ON);
    expect(result.backend).toBe('model');
    expect(result.blocks.map((b) => [b.type, b.text, b.source])).toEqual([
      ['heading', 'Results', 'model'],
      ['text', 'A line no region claimed.', 'text-layer'],
    ]);
    expect(result.blocks[0]!.level).toBe(2);
    expect(result.regions).toEqual([
      expect.objectContaining({ stage: 'table', type: 'table', mode: 'region' }),
      expect.objectContaining({ stage: 'formula', type: 'formula', mode: 'region', rulings: layer.rulings }),
    ]);
    expect(result.regions[0]!.words!.map((w) => w.text)).toEqual(['Name', 'Value', 'alpha', '1.0']);
    expect(result.regions[1]!.runs!.map((r) => r.text)).toEqual(['x = y']);
    // reading order spans blocks and regions
    expect([...result.blocks.map((b) => b.order), ...result.regions.map((r) => r.order)].sort()).toEqual([0, 1, 2, 3]);
  });

  it('on a scan: text-like regions to ocr in region mode, formulas to the formula stage (ocr when off), pictures cropped', () => {
    const detections = found(['doc_title', 50, 20, 450, 50], ['text', 50, 60, 450, 150], ['formula', 100, 160, 400, 200], ['image', 50, 220, 450, 400], ['number', 240, 480, 260, 495]);
    const on = modelLayout(task(), null, detections, ALL_ON);
    expect(on.regions.map((r) => [r.regionId, r.stage, r.type, r.bbox])).toEqual([
      ['r0', 'ocr', 'title', [100, 40, 900, 100]],
      ['r1', 'ocr', 'text', [100, 120, 900, 300]],
      ['r2', 'formula', 'formula', [200, 320, 800, 400]],
      ['r4', 'ocr', 'footer', [480, 960, 520, 990]],
    ]);
    expect(on.blocks.map((b) => [b.id, b.type, b.image])).toEqual([['b3', 'figure', 'doc-m/1.b3.png']]);
    expect(on.crops).toEqual([{ blockId: 'b3', object: 'doc-m/1.b3.png', bbox: [100, 440, 900, 800] }]);
    const off = modelLayout(task(), null, detections, { ...ALL_ON, formula: false });
    expect(off.regions.find((r) => r.type === 'formula')!.stage).toBe('ocr');
  });
});
