// The one entry point from bytes to pages, whatever the format.
import { PaperlineError, type PageRange } from '@paperline/contracts';
import { openImage } from './image-document.js';
import { openPdfium } from './pdfium-document.js';
import { sniffFormat } from './sniff.js';
import { DEFAULT_DPI, DEFAULT_MIN_TEXT_CHARS, DEFAULT_PDF_ENGINE, DEFAULT_RENDER_LIMITS, type OpenedDocument, type OpenOptions } from './types.js';

/** Sniffs, checks the byte limit, and opens; bad input throws a terminal PaperlineError. */
export async function openDocument(bytes: Uint8Array, mediaType: string, options: OpenOptions = {}): Promise<OpenedDocument> {
  const limits = { ...DEFAULT_RENDER_LIMITS, ...options.limits };
  if (bytes.length > limits.maxBytes) {
    throw new PaperlineError('FILE_TOO_LARGE', `${bytes.length} bytes, the limit is ${limits.maxBytes}`);
  }
  const format = sniffFormat(bytes, mediaType, options.fileName);
  const dpi = options.dpi ?? DEFAULT_DPI;
  if (format === 'pdf') {
    const pdfOptions = { limits, dpi, alwaysRaster: options.alwaysRaster ?? false, minTextChars: options.minTextChars ?? DEFAULT_MIN_TEXT_CHARS };
    if ((options.pdfEngine ?? DEFAULT_PDF_ENGINE) === 'pdfium') return openPdfium(bytes, pdfOptions);
    // loaded only when chosen: pdf.js's legacy build patches builtins as it loads (see pdfjs.ts)
    const { openPdf } = await import('./pdf-document.js');
    return openPdf(bytes, pdfOptions);
  }
  return openImage(bytes, format, { limits, dpi });
}

/** The 1-based pages a range selects; INVALID_PAGE_RANGE when it selects none. */
export function selectPages(pageCount: number, range?: PageRange): number[] {
  const from = range?.from ?? 1;
  const to = Math.min(range?.to ?? pageCount, pageCount);
  if (from > to) {
    throw new PaperlineError('INVALID_PAGE_RANGE', `pages ${range?.from}-${range?.to} of a ${pageCount}-page document`);
  }
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
