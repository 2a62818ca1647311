// The real PP-OCR models (from the npm packages) on images of known text rendered by sharp.
import { textImage } from '@paperline/testing';
import { distance } from 'fastest-levenshtein';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { OcrEngine } from './engine.js';
import { directModels } from './model-loader.js';
import { decodeRgb, rotateRgb } from './raster.js';

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

  describe('a page turned by a quarter, a half or three quarters', () => {
    const PAGE = [
      'Scanned pages come in every way up:',
      'a sheet fed sideways into the scanner,',
      'a book page photographed upside down.',
      'They read like the upright page once',
      'the page is turned to stand upright.',
    ];
    const nedChars = (a: string, b: string) => distance(a, b) / Math.max(1, a.length, b.length);
    const text = (blocks: { text: string }[] | undefined) => (blocks ?? []).map((b) => b.text).join('\n');

    it.each([90, 180, 270] as const)('turned by %i degrees: read within 0.05 ned_chars of upright, and turned back', async (turn) => {
      const upright = await decodeRgb(await textImage(PAGE, 'png', { width: 900, height: 420, fontSize: 30 }));
      const [expected] = await engine.readPages([{ image: upright, idPrefix: 'p1' }]);
      expect(text(expected)).toContain('upside down');
      const turned = await rotateRgb(upright, turn);
      const [blocks] = await engine.readPages([{ image: turned, idPrefix: 'p1' }]);
      expect(nedChars(text(blocks), text(expected))).toBeLessThanOrEqual(0.05);
      const [lines] = await engine.readLines([{ image: turned }]);
      expect(lines!.rotation).toBe((360 - turn) % 360);
      expect([lines!.width, lines!.height]).toEqual([900, 420]);
    });

    it('leaves an upright page and a known region as they are', async () => {
      const upright = await decodeRgb(await textImage(PAGE, 'png', { width: 900, height: 420, fontSize: 30 }));
      const rotations = await engine.orientations([{ image: upright }, { image: await rotateRgb(upright, 180), area: [0, 0, 420, 900] }]);
      expect(rotations).toEqual([0, 0]);
    });
  });

  it('reads a page the same, to the byte, alone or with other pages in its batch', async () => {
    // lines of many widths on the other pages: mixed batches would pad this page's crops differently
    const page = await decodeRgb(await textImage(['Nr 42', 'Paperline reads scans', 'Total due: 17.50 EUR in 30 days'], 'png', { width: 900, height: 260, fontSize: 30 }));
    const others = await Promise.all(
      [
        ['Invoice', 'A much longer line of text than any on the page', 'Short'],
        ['Net 30', 'Paperline reads scanned pages with models', 'x', 'Another line of middling width'],
      ].map(async (lines) => decodeRgb(await textImage(lines, 'png', { width: 1400, height: 300, fontSize: 30 }))),
    );
    for (const lang of ['en', 'ch'] as const) {
      const [alone] = await engine.read([{ kind: 'page', image: page, idPrefix: 'p' }], lang);
      const mixed = await engine.read(
        [{ kind: 'page', image: others[0]!, idPrefix: 'o1' }, { kind: 'page', image: page, idPrefix: 'p' }, { kind: 'page', image: others[1]!, idPrefix: 'o2' }],
        lang,
      );
      expect(mixed[1]).toEqual(alone);
    }
  });
});
