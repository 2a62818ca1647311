// The real PP-OCR models (from the npm packages) on images of known text rendered by sharp.
import { textImage } from '@paperline/testing';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { OcrEngine } from './engine.js';
import { directModels } from './model-loader.js';
import { decodeRgb } from './raster.js';

const LINES = ['Paperline reads scanned pages', 'with PP-OCR models on ONNX', 'Runtime: 42 lines per second.'];

/** Two columns of three lines under a full-width title. */
function twoColumnSvg(): Buffer {
  const text = (x: number, y: number, s: string, size = 26) => `<text x="${x}" y="${y}" font-family="DejaVu Sans" font-size="${size}">${s}</text>`;
  const left = ['The left column starts', 'here and goes on for', 'three lines of text.'];
  const right = ['The right column comes', 'after the left one has', 'been read to its end.'];
  const body = [
    text(200, 70, 'A Title Across Both Columns', 34),
    ...left.map((l, i) => text(40, 160 + i * 40, l)),
    ...right.map((l, i) => text(560, 160 + i * 40, l)),
  ].join('');
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="320"><rect width="100%" height="100%" fill="white"/>${body}</svg>`);
}

describe('OcrEngine', () => {
  const engine = new OcrEngine(directModels(), { lang: 'en' });
  afterAll(() => engine.release());

  it('reads a rendered page of English text back, in one paragraph (en models)', async () => {
    const image = await decodeRgb(await textImage(LINES, 'png', { width: 800, height: 300, fontSize: 30 }));
    const [blocks] = await engine.readPages([{ image, idPrefix: 'p1' }]);
    expect(blocks).toHaveLength(1);
    const block = blocks![0]!;
    expect(block.text).toBe(LINES.join(' '));
    expect(block.source).toBe('ocr');
    expect(block.lines).toHaveLength(3);
    expect(block.confidence).toBeGreaterThan(0.9);
  });

  it('reads the same page with the Chinese+English models', async () => {
    const image = await decodeRgb(await textImage(LINES, 'jpeg', { width: 800, height: 300, fontSize: 30 }));
    const [blocks] = await engine.readPages([{ image, idPrefix: 'p1' }], 'ch');
    const text = blocks!.map((b) => b.text).join(' ');
    // the ch dictionary reads Latin well but sometimes drops a space
    expect(text.replace(/\s+/g, '')).toBe(LINES.join('').replace(/\s+/g, ''));
  });

  it('orders a two-column page: title, left column, right column', async () => {
    const image = await decodeRgb(await sharp(twoColumnSvg()).png().toBuffer());
    const [blocks] = await engine.readPages([{ image, idPrefix: 'p1' }]);
    // the en recogniser sometimes reads the grey padding after a line as a trailing '.'
    const texts = blocks!.map((b) => b.text.replace(/\.+/g, '.').replace(/\.(?= )/g, ''));
    expect(texts).toEqual([
      'A Title Across Both Columns',
      'The left column starts here and goes on for three lines of text.',
      'The right column comes after the left one has been read to its end.',
    ]);
  });

  it('reads known regions of several pages in one batch, one block per region', async () => {
    const a = await decodeRgb(await textImage(LINES, 'png', { width: 800, height: 300, fontSize: 30 }));
    const b = await decodeRgb(await textImage(['Second page'], 'png', { width: 400, height: 120, fontSize: 30 }));
    const blocks = await engine.readRegions([
      // the middle line (y 79-107), clear of its neighbours as a layout region would be
      { image: a, bbox: [0, 72, 800, 116], type: 'text', order: 3, id: 'r1' },
      { image: b, bbox: [0, 0, 400, 120], type: 'heading', order: 0, id: 'r2' },
    ]);
    // as above: padding after a short line is sometimes read as a trailing '.'
    expect(blocks.map((bl) => [bl.id, bl.type, bl.order, bl.text.replace(/\.+$/, '')])).toEqual([
      ['r1', 'text', 3, 'with PP-OCR models on ONNX'],
      ['r2', 'heading', 0, 'Second page'],
    ]);
  });

  it('returns no blocks for a blank page', async () => {
    const image = await decodeRgb(await textImage([], 'png', { width: 300, height: 200 }));
    const [blocks] = await engine.readPages([{ image, idPrefix: 'p1' }]);
    expect(blocks).toEqual([]);
  });
});
