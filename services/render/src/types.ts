// Public types of the render stage's document model.
import { MAX_FILE_BYTES, type BBox, type PageTextLayer } from '@paperline/contracts';
import type { SourceFormat } from './sniff.js';

export interface RenderLimits {
  /** @default 2000 */
  maxPages: number;
  /** Pixels of one page raster or one input image (decompression bombs). @default 100_000_000 */
  maxPixels: number;
  /** @default MAX_FILE_BYTES (contracts: the client's and the gateway's limit too) */
  maxBytes: number;
}

export const DEFAULT_RENDER_LIMITS: Readonly<RenderLimits> = Object.freeze({
  maxPages: 2000,
  maxPixels: 100_000_000,
  maxBytes: MAX_FILE_BYTES,
});

export const DEFAULT_DPI = 150;
/** Fewer non-space characters than this and a PDF page counts as scanned. */
export const DEFAULT_MIN_TEXT_CHARS = 16;

/** The PDF engine: PDFium (WebAssembly, the default) or pdf.js (docs/pdf-engines.md compares them). */
export const PDF_ENGINES = ['pdfium', 'pdfjs'] as const;
export type PdfEngine = (typeof PDF_ENGINES)[number];
export const DEFAULT_PDF_ENGINE: PdfEngine = 'pdfium';

/** Where documents are opened and rendered: a render process of their own (the default) or the stage's process. */
export const RENDER_ISOLATIONS = ['process', 'inline'] as const;
export type RenderIsolation = (typeof RENDER_ISOLATIONS)[number];
export const DEFAULT_RENDER_ISOLATION: RenderIsolation = 'process';

export interface OpenOptions {
  /** @default 'pdfium' */
  pdfEngine?: PdfEngine;
  limits?: Partial<RenderLimits>;
  /** Raster DPI of PDF pages. @default 150 */
  dpi?: number;
  /** Rasterise every PDF page, not only those that need it. @default false */
  alwaysRaster?: boolean;
  /** @default 16 */
  minTextChars?: number;
  fileName?: string;
}

/** One rendered page; all geometry in raster pixels at `dpi`. */
export interface RenderedPage {
  /** 1-based page number in the document. */
  page: number;
  width: number;
  height: number;
  dpi: number;
  /** 0-based frame of a multi-page image. */
  frame?: number;
  /** Null for a page without a usable text layer (scanned, image). */
  textLayer: PageTextLayer | null;
  /** PNG bytes, when the page was rasterised. */
  raster: Uint8Array | null;
  /** 'images' when the raster holds only the page's embedded images (for figure crops). @default 'page' */
  rasterContent?: 'page' | 'images';
  /** The rectangle of the page an `images` raster covers (whole pixels); absent: the whole page. */
  rasterBox?: BBox;
  /** Nothing is painted on the page (no text layer, no raster): it needs no OCR. */
  blank?: true;
}

export interface OpenedDocument {
  readonly format: SourceFormat;
  readonly kind: 'pdf' | 'image';
  readonly pageCount: number;
  /** Renders the given 1-based pages, in order, one at a time. */
  pages(pageNumbers: readonly number[]): AsyncIterable<RenderedPage>;
  /** Frees the parser's memory; safe to call twice. */
  close(): Promise<void>;
}
