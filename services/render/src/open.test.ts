import { describe, expect, it } from 'vitest';
import { PaperlineError, type BBox } from '@paperline/contracts';
import {
  buildPdf,
  encryptedPdf,
  hugePngHeader,
  multiPagePdf,
  multiPageTiff,
  rotatedJpeg,
  textImage,
  textPage,
  truncatedPdf,
} from '@paperline/testing';
import sharp from 'sharp';
import { openDocument, selectPages } from './open.js';
import { PDF_ENGINES, type OpenedDocument, type OpenOptions, type RenderedPage } from './types.js';

async function renderAll(doc: OpenedDocument, pages = selectPages(doc.pageCount)): Promise<RenderedPage[]> {
  const out: RenderedPage[] = [];
  try {
    for await (const page of doc.pages(pages)) out.push(page);
  } finally {
    await doc.close();
  }
  return out;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PaperlineError);
    return (error as PaperlineError).code;
  }
  return 'no error';
}

describe.each(PDF_ENGINES)('openDocument: born-digital PDF with %s', (engine) => {
  const open = (bytes: Uint8Array, options: OpenOptions = {}) => openDocument(bytes, 'application/pdf', { ...options, pdfEngine: engine });

  it('gives each page its text in order, with fonts, sizes and boxes on the page', async () => {
    const pdf = buildPdf([textPage(1), textPage(2), textPage(3)]);
    const doc = await open(pdf, { dpi: 150 });
    expect(doc.pageCount).toBe(3);
    const pages = await renderAll(doc);
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3]);
    for (const page of pages) {
      // US Letter at 150 DPI
      expect(page.width).toBe(1275);
      expect(page.height).toBe(1650);
      expect(page.raster).toBeNull(); // text only: no raster
      const runs = page.textLayer!.runs;
      expect(runs.map((r) => r.text)).toEqual([
        `Heading of page ${page.page}`,
        ...[1, 2, 3, 4, 5].map((i) => `Body line ${i} of page ${page.page} with some ordinary words.`),
      ]);
      const [heading, body] = runs;
      expect(heading).toMatchObject({ font: 'Helvetica-Bold', bold: true, italic: false });
      expect(body).toMatchObject({ font: 'Helvetica', bold: false });
      expect(heading!.size).toBeCloseTo((18 * 150) / 72, 1);
      expect(body!.size).toBeCloseTo((11 * 150) / 72, 1);
      // x = 72pt -> 150px; the heading's baseline at 90pt -> 187.5px
      expect(heading!.bbox[0]).toBeCloseTo(150, 0);
      expect(heading!.bbox[1]).toBeLessThan(187.5);
      expect(heading!.bbox[3]).toBeGreaterThan(187.5);
      for (const run of runs) {
        expect(run.bbox[0]).toBeGreaterThanOrEqual(0);
        expect(run.bbox[2]).toBeLessThanOrEqual(page.width);
        expect(run.bbox[3]).toBeLessThanOrEqual(page.height);
        expect(run.bbox[2]).toBeGreaterThan(run.bbox[0]);
      }
      // lines go down the page in order
      const tops = runs.map((r) => r.bbox[1]);
      expect([...tops].sort((a, b) => a - b)).toEqual(tops);
    }
  });

  it('finds rulings (lines, thin filled rects, stroked rect edges) and image rectangles, and rasterises pages with images', async () => {
    const pdf = buildPdf([
      {
        texts: [{ text: 'A page with a table frame and a picture', x: 72, y: 72 }],
        lines: [{ x0: 72, y0: 100, x1: 540, y1: 100 }],
        rects: [
          { x: 72, y: 120, w: 468, h: 1, fill: true },
          { x: 72, y: 140, w: 200, h: 100 },
        ],
        images: [{ x: 300, y: 300, w: 144, h: 72 }],
      },
    ]);
    const [page] = await renderAll(await open(pdf, { dpi: 72 }));
    const layer = page!.textLayer!;
    const horizontal = layer.rulings.filter((r) => r.y0 === r.y1);
    const vertical = layer.rulings.filter((r) => r.x0 === r.x1);
    expect(horizontal.map((r) => Math.round(r.y0))).toEqual(expect.arrayContaining([100, 121, 140, 240]));
    expect(vertical.map((r) => Math.round(r.x0))).toEqual(expect.arrayContaining([72, 272]));
    expect(layer.images).toHaveLength(1);
    expect(layer.images[0]!.map(Math.round)).toEqual([300, 300, 444, 372]);
    // an embedded image needs pixels for its crop: the image layer, not a painted page
    expect(page!.rasterContent).toBe('images');
    // covering the page, or only the picture (PDFium paints no more than the pictures' bounds)
    if (engine === 'pdfium') expect(page!.rasterBox).toEqual([300, 300, 444, 372]);
    else expect(page!.rasterBox).toBeUndefined();
    const covered = page!.rasterBox ?? [0, 0, 612, 792];
    const meta = await sharp(page!.raster!).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', covered[2] - covered[0], covered[3] - covered[1]]);
  });

  it('places the embedded images of a text page as the painted page shows them, and nothing else', async () => {
    const pdf = buildPdf([
      {
        texts: [{ text: 'A page of text with two pictures on it', x: 72, y: 72 }],
        images: [
          { x: 100, y: 200, w: 200, h: 100, pixelWidth: 40, pixelHeight: 20 },
          { x: 320, y: 400, w: 144, h: 144 },
        ],
      },
    ]);
    const [layered] = await renderAll(await open(pdf, { dpi: 100 }));
    const [painted] = await renderAll(await open(pdf, { dpi: 100, alwaysRaster: true }));
    expect(layered!.rasterContent).toBe('images');
    expect(painted!.rasterContent).toBeUndefined();
    const pixels = async (png: Uint8Array, box: readonly number[], origin: readonly number[] = [0, 0]) => {
      const rect = { left: Math.ceil(box[0]!) - origin[0]!, top: Math.ceil(box[1]!) - origin[1]!, width: Math.floor(box[2]!) - Math.ceil(box[0]!), height: Math.floor(box[3]!) - Math.ceil(box[1]!) };
      return sharp(png).extract(rect).removeAlpha().raw().toBuffer();
    };
    // the image layer may cover only the pictures' bounds (PDFium paints no more): the rest is white
    const covered = layered!.rasterBox ?? [0, 0, layered!.width, layered!.height];
    const images = layered!.textLayer!.images;
    expect(covered[0]).toBeLessThanOrEqual(Math.min(...images.map((b) => b[0])));
    expect(covered[3]).toBeGreaterThanOrEqual(Math.max(...images.map((b) => b[3])));
    const meta = await sharp(layered!.raster!).metadata();
    expect([meta.width, meta.height]).toEqual([covered[2] - covered[0], covered[3] - covered[1]]);
    for (const box of images) {
      const [a, b] = [await pixels(layered!.raster!, box, covered), await pixels(painted!.raster!, box)];
      const meanDiff = a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;
      expect(meanDiff).toBeLessThan(8);
    }
    // the text is not in the image layer: its line is white (or outside what the layer covers)
    const textBox = layered!.textLayer!.runs[0]!.bbox;
    const textInLayer: BBox = [Math.max(textBox[0], covered[0]), Math.max(textBox[1], covered[1]), Math.min(textBox[2], covered[2]), Math.min(textBox[3], covered[3])];
    const overlaps = textInLayer[2] - textInLayer[0] >= 2 && textInLayer[3] - textInLayer[1] >= 2;
    if (overlaps) expect(Math.min(...(await pixels(layered!.raster!, textInLayer, covered)))).toBe(255);
    if (engine === 'pdfium') expect(overlaps).toBe(false);
    expect(Math.min(...(await pixels(painted!.raster!, textBox)))).toBeLessThan(128);
  });

  it('treats a page without text as scanned: no text layer, always a raster', async () => {
    const pdf = buildPdf([{ rects: [{ x: 50, y: 50, w: 300, h: 300, fill: true }] }]);
    const [page] = await renderAll(await open(pdf));
    expect(page!.textLayer).toBeNull();
    expect(page!.raster).not.toBeNull();
  });

  it('renders only the selected pages; a range past the end selects nothing', async () => {
    const doc = await open(multiPagePdf(5));
    const pages = await renderAll(doc, selectPages(doc.pageCount, { from: 2, to: 3 }));
    expect(pages.map((p) => p.page)).toEqual([2, 3]);
    expect(selectPages(5, { from: 4, to: 99 })).toEqual([4, 5]);
    expect(() => selectPages(5, { from: 6, to: 9 })).toThrow(expect.objectContaining({ code: 'INVALID_PAGE_RANGE' }));
  });

  it('renders every page when asked to', async () => {
    const [page] = await renderAll(await open(multiPagePdf(1), { alwaysRaster: true, dpi: 72 }));
    expect(page!.textLayer).not.toBeNull();
    expect((await sharp(page!.raster!).metadata()).width).toBe(612);
  });

  it('opens an encrypted PDF whose user password is empty', async () => {
    const pdf = buildPdf([textPage(1)], { encryption: { userPassword: '', keyBits: 40 } });
    const [page] = await renderAll(await open(pdf));
    expect(page!.textLayer!.runs[0]!.text).toBe('Heading of page 1');
  });
});

describe('openDocument: bad input', () => {
  it.each([
    ['zero bytes', () => new Uint8Array(0), 'application/pdf', 'EMPTY_FILE'],
    ['a truncated PDF', () => truncatedPdf(), 'application/pdf', 'CORRUPT_PDF'],
    ['an encrypted PDF (RC4 40-bit)', () => encryptedPdf(40), 'application/pdf', 'ENCRYPTED_PDF'],
    ['an encrypted PDF (RC4 128-bit)', () => encryptedPdf(128), 'application/pdf', 'ENCRYPTED_PDF'],
    ['a text file named .pdf', () => new TextEncoder().encode('just some notes, not a PDF\n'), 'application/pdf', 'CORRUPT_PDF'],
    ['a text file as text/plain', () => new TextEncoder().encode('just some notes\n'), 'text/plain', 'UNSUPPORTED_MEDIA_TYPE'],
    ['a PNG header claiming 30000x30000', () => hugePngHeader(), 'image/png', 'IMAGE_TOO_LARGE'],
    ['a truncated PNG', () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]), 'image/png', 'CORRUPT_IMAGE'],
  ])('%s', async (_name, bytes, mediaType, code) => {
    expect(await codeOf(openDocument(bytes(), mediaType))).toBe(code);
  });

  it('refuses more pages than the limit, and more bytes than the limit', async () => {
    expect(await codeOf(openDocument(multiPagePdf(6), 'application/pdf', { limits: { maxPages: 5 } }))).toBe('TOO_MANY_PAGES');
    expect(await codeOf(openDocument(multiPagePdf(1), 'application/pdf', { limits: { maxBytes: 100 } }))).toBe('FILE_TOO_LARGE');
  });

  it('names the problem of a text file posing as a PDF', async () => {
    await expect(openDocument(new TextEncoder().encode('hello'), 'application/pdf', { fileName: 'notes.pdf' })).rejects.toThrow(/no %PDF- header.*plain text/);
  });

  it('refuses a huge PNG without decoding it', async () => {
    const before = process.memoryUsage().rss;
    await openDocument(hugePngHeader(), 'image/png').catch(() => undefined);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });
});

describe('openDocument: images', () => {
  it.each(['png', 'jpeg', 'webp', 'tiff'] as const)('a %s becomes one page whose raster is the image as PNG', async (format) => {
    const bytes = await textImage(['Known text'], format, { width: 640, height: 480 });
    const doc = await openDocument(bytes, 'application/octet-stream');
    expect(doc.kind).toBe('image');
    const [page] = await renderAll(doc);
    expect(page).toMatchObject({ page: 1, width: 640, height: 480, textLayer: null });
    expect((await sharp(page!.raster!).metadata()).format).toBe('png');
  });

  it('a multi-page TIFF gives one page per frame', async () => {
    const tiff = await multiPageTiff([['first page'], ['second page'], ['third page']], { width: 400, height: 300 });
    const doc = await openDocument(tiff, 'image/tiff');
    expect(doc.pageCount).toBe(3);
    const pages = await renderAll(doc);
    expect(pages.map((p) => [p.page, p.frame, p.width, p.height])).toEqual([
      [1, 0, 400, 300],
      [2, 1, 400, 300],
      [3, 2, 400, 300],
    ]);
    // each frame is its own picture
    const [a, b] = await Promise.all(pages.slice(0, 2).map((p) => sharp(p.raster!).raw().toBuffer()));
    expect(Buffer.compare(a!, b!)).not.toBe(0);
  });

  it('applies EXIF rotation', async () => {
    const jpeg = await rotatedJpeg(['turned'], 6, { width: 400, height: 200 });
    const [page] = await renderAll(await openDocument(jpeg, 'image/jpeg'));
    expect([page!.width, page!.height]).toEqual([200, 400]);
  });

  it('refuses an image over the pixel limit and a TIFF with too many frames', async () => {
    const png = await textImage(['x'], 'png', { width: 400, height: 300 });
    expect(await codeOf(openDocument(png, 'image/png', { limits: { maxPixels: 100_000 } }))).toBe('IMAGE_TOO_LARGE');
    const tiff = await multiPageTiff([['a'], ['b'], ['c']], { width: 100, height: 100 });
    expect(await codeOf(openDocument(tiff, 'image/tiff', { limits: { maxPages: 2 } }))).toBe('TOO_MANY_PAGES');
  });
});
