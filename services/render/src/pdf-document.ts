// A PDF opened with pdfjs (legacy build, in-process worker): per page the text layer, rulings and
// image rectangles, and a raster only when the page needs one (scanned, little text); a page with
// a text layer and pictures gets its image layer instead (the decoded images, for figure crops).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { PaperlineError, SCHEMA_VERSION, type PageTextLayer } from '@paperline/contracts';
import { createCanvas } from '@napi-rs/canvas';
import { composeImageLayer } from './image-layer.js';
import { extractGraphics, paintsAnything, type ImagePlacement, type Matrix, type PdfjsImage } from './pdf-graphics.js';
import { TextCollector, type FontInfo } from './pdf-text-ops.js';
import { getDocument, type PDFDocumentProxy, type PDFPageProxy } from './pdfjs.js';
import { pagePng } from './page-png.js';
import type { OpenedDocument, RenderedPage, RenderLimits } from './types.js';

const pdfjsRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const assetDir = (name: string) => {
  const dir = join(pdfjsRoot, name);
  return existsSync(dir) ? `${dir}/` : undefined;
};
const STANDARD_FONTS = assetDir('standard_fonts');
const CMAPS = assetDir('cmaps');
const WASM = assetDir('wasm');

export interface PdfOpenOptions {
  limits: RenderLimits;
  dpi: number;
  alwaysRaster: boolean;
  minTextChars: number;
}

/**
 * A decoded image of the page's operator list, once it arrives (large ones may come after the list);
 * document-wide ones ("g_" ids) live in commonObjs. pdfjs resolves a failed decode with null.
 */
function imageObject(page: PDFPageProxy, id: string): Promise<PdfjsImage | undefined> {
  const objs = id.startsWith('g_') ? page.commonObjs : page.objs;
  return new Promise((resolve) => {
    objs.get(id, (data: unknown) => resolve((data as PdfjsImage | null) ?? undefined));
  });
}

/** Maps pdfjs's exceptions (by name: they are plain objects across its worker boundary) to our codes. */
function openError(error: unknown): PaperlineError {
  const name = (error as { name?: string } | null)?.name ?? '';
  const message = (error as { message?: string } | null)?.message ?? String(error);
  if (name === 'PasswordException') return new PaperlineError('ENCRYPTED_PDF', message, { cause: error });
  if (name === 'InvalidPDFException' || name === 'FormatError' || name === 'UnknownErrorException' || name === 'MissingPDFException') {
    return new PaperlineError('CORRUPT_PDF', message, { cause: error });
  }
  return new PaperlineError('CORRUPT_PDF', `${name || 'error'}: ${message}`, { cause: error });
}

export async function openPdf(bytes: Uint8Array, options: PdfOpenOptions): Promise<OpenedDocument> {
  const params = {
    // pdfjs transfers (detaches) the buffer it is given, and refuses a Buffer: hand it a plain copy
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
    stopAtErrors: false,
    ...(STANDARD_FONTS ? { standardFontDataUrl: STANDARD_FONTS } : {}),
    ...(CMAPS ? { cMapUrl: CMAPS, cMapPacked: true } : {}),
    ...(WASM ? { wasmUrl: WASM } : {}),
  };
  let task: ReturnType<typeof getDocument> | undefined;
  let doc: PDFDocumentProxy;
  try {
    task = getDocument(params);
    doc = await task.promise;
  } catch (error) {
    await task?.destroy().catch(() => undefined);
    throw openError(error);
  }
  if (doc.numPages > options.limits.maxPages) {
    await doc.destroy().catch(() => undefined);
    throw new PaperlineError('TOO_MANY_PAGES', `${doc.numPages} pages, the limit is ${options.limits.maxPages}`);
  }
  return new PdfDocument(doc, options);
}

class PdfDocument implements OpenedDocument {
  readonly format = 'pdf' as const;
  readonly kind = 'pdf' as const;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly doc: PDFDocumentProxy,
    private readonly options: PdfOpenOptions,
  ) {}

  get pageCount(): number {
    return this.doc.numPages;
  }

  async *pages(pageNumbers: readonly number[]): AsyncIterable<RenderedPage> {
    for (const n of pageNumbers) {
      let page: PDFPageProxy;
      try {
        page = await this.doc.getPage(n);
      } catch (error) {
        throw openError(error);
      }
      try {
        yield await this.renderPage(page);
      } finally {
        page.cleanup();
      }
    }
  }

  private async renderPage(page: PDFPageProxy): Promise<RenderedPage> {
    const { dpi, width, height, viewport } = this.pageGeometry(page);
    let layer: PageTextLayer;
    let placements: ImagePlacement[];
    try {
      const ops = await page.getOperatorList();
      if (!paintsAnything(ops)) return { page: page.pageNumber, width, height, dpi, textLayer: null, raster: null, blank: true };
      const fontOf = (id: string): FontInfo | undefined => (page.commonObjs.has(id) ? (page.commonObjs.get(id) as FontInfo) : undefined);
      const text = new TextCollector(fontOf);
      const graphics = extractGraphics(ops, viewport.transform as Matrix, { width, height }, text);
      layer = { v: SCHEMA_VERSION, runs: text.runs, rulings: graphics.rulings, images: graphics.images };
      placements = graphics.placements;
    } catch (error) {
      throw openError(error);
    }
    const chars = layer.runs.reduce((n, run) => n + run.text.replace(/\s+/g, '').length, 0);
    const hasText = chars >= this.options.minTextChars;
    const rendered = { page: page.pageNumber, width, height, dpi, textLayer: hasText ? layer : null };
    if (this.options.alwaysRaster || !hasText) return { ...rendered, raster: await this.rasterise(page, viewport) };
    if (placements.length === 0) return { ...rendered, raster: null };
    // figure crops need the pictures only: cut from the decoded images, not from a painted page
    const images = await composeImageLayer(placements, (id) => imageObject(page, id), { width, height });
    return images ? { ...rendered, raster: images, rasterContent: 'images' } : { ...rendered, raster: await this.rasterise(page, viewport) };
  }

  /** The page at the configured DPI, lowered for a huge page so its raster stays within maxPixels. */
  private pageGeometry(page: PDFPageProxy) {
    const natural = page.getViewport({ scale: 1 });
    const fit = Math.sqrt(this.options.limits.maxPixels / Math.max(1, natural.width * natural.height)) * 72;
    const dpi = Math.max(1, Math.min(this.options.dpi, Math.floor(fit)));
    const viewport = page.getViewport({ scale: dpi / 72 });
    return { dpi, width: Math.max(1, Math.floor(viewport.width)), height: Math.max(1, Math.floor(viewport.height)), viewport };
  }

  private async rasterise(page: PDFPageProxy, viewport: ReturnType<PDFPageProxy['getViewport']>): Promise<Uint8Array> {
    const canvas = createCanvas(Math.max(1, Math.floor(viewport.width)), Math.max(1, Math.floor(viewport.height)));
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    try {
      await page.render({ canvas: canvas as never, canvasContext: context as never, viewport }).promise;
    } catch (error) {
      throw openError(error);
    }
    // sharp encodes off the main thread and ~5x faster than the canvas's own PNG encoder. The
    // pixels are copied: canvas.data() borrows the canvas's memory without holding the canvas, so
    // a garbage collection during the encode freed them under sharp's thread (issue 13's SIGSEGV,
    // docs/render.md)
    const pixels = new Uint8Array(canvas.data());
    return pagePng(pixels, canvas.width, canvas.height);
  }

  close(): Promise<void> {
    this.closing ??= this.doc.destroy().catch(() => undefined);
    return this.closing;
  }
}
