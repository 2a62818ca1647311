// The render stage's settings (convict): the base settings plus a `render` section.
import { baseSchema, loadConfig, type LoadOptions } from '@paperline/config';
import { MAX_FILE_BYTES_ENV } from '@paperline/contracts';
import {
  DEFAULT_INLINE_TEXT_LAYER_BYTES,
  DEFAULT_RENDER_PROCESS_IDLE_MS,
  DEFAULT_RENDER_TIMEOUT_MS,
  DEFAULT_SLICE_PAGES,
  DEFAULT_THROTTLE_BACKLOG_PAGES,
  DEFAULT_THROTTLE_PAGES,
  DEFAULT_THROTTLE_WAIT_MS,
  type RenderSettings,
} from './handler.js';
import {
  DEFAULT_DPI,
  DEFAULT_MIN_TEXT_CHARS,
  DEFAULT_PDF_ENGINE,
  DEFAULT_RENDER_ISOLATION,
  DEFAULT_RENDER_LIMITS,
  PDF_ENGINES,
  RENDER_ISOLATIONS,
  type PdfEngine,
  type RenderIsolation,
} from './types.js';

export const renderSchema = {
  ...baseSchema,
  render: {
    dpi: { doc: 'Raster DPI of PDF pages (a request may ask for another).', format: 'nat', default: DEFAULT_DPI, env: 'PL_RENDER_DPI' },
    maxPages: { doc: 'Most pages (or TIFF frames) a document may have; a document\'s options.limits (set per API key) can only lower it.', format: 'nat', default: DEFAULT_RENDER_LIMITS.maxPages, env: 'PL_RENDER_MAX_PAGES' },
    maxPixels: {
      doc: 'Most pixels of an input image or page raster; checked on the header before decoding. A document\'s options.limits can only lower it.',
      format: 'nat',
      default: DEFAULT_RENDER_LIMITS.maxPixels,
      env: 'PL_RENDER_MAX_PIXELS',
    },
    maxBytes: {
      doc: 'Largest input file in bytes; the same variable sets the client\'s and the gateway\'s limit, so what they accept render takes.',
      format: 'nat',
      default: DEFAULT_RENDER_LIMITS.maxBytes,
      env: MAX_FILE_BYTES_ENV,
    },
    minTextChars: {
      doc: 'A PDF page with fewer non-space characters counts as scanned and is rasterised for OCR.',
      format: 'nat',
      default: DEFAULT_MIN_TEXT_CHARS,
      env: 'PL_RENDER_MIN_TEXT_CHARS',
    },
    inlineTextLayerBytes: {
      doc: 'A PageTask of up to this many bytes (encoded) carries its page\'s text layer inline; a larger text layer is stored in pl-pages. 0 stores every one. Keep it well under the server\'s max_payload.',
      format: 'nat',
      default: DEFAULT_INLINE_TEXT_LAYER_BYTES,
      env: 'PL_RENDER_INLINE_TEXT_LAYER_BYTES',
    },
    slicePages: {
      doc: 'Pages of one document rendered per turn; then its continuation queues behind what arrived meanwhile (other documents, high priority first).',
      format: 'nat',
      default: DEFAULT_SLICE_PAGES,
      env: 'PL_RENDER_SLICE_PAGES',
    },
    throttlePages: {
      doc: 'A document of more pages than this is throttled: it renders at most throttleBacklogPages ahead of its pages finished downstream.',
      format: 'nat',
      default: DEFAULT_THROTTLE_PAGES,
      env: 'PL_RENDER_THROTTLE_PAGES',
    },
    throttleBacklogPages: {
      doc: 'How far (pages rendered but not finished downstream) a throttled document may run ahead.',
      format: 'nat',
      default: DEFAULT_THROTTLE_BACKLOG_PAGES,
      env: 'PL_RENDER_THROTTLE_BACKLOG_PAGES',
    },
    throttleWaitMs: {
      doc: 'How long a throttled slice waits for its backlog to shrink before it gives its turn to the next in the queue.',
      format: 'nat',
      default: DEFAULT_THROTTLE_WAIT_MS,
      env: 'PL_RENDER_THROTTLE_WAIT_MS',
    },
    pdfEngine: {
      doc: 'The PDF engine: pdfium (WebAssembly; faster, and no native canvas) or pdfjs. docs/pdf-engines.md compares them.',
      format: PDF_ENGINES,
      default: DEFAULT_PDF_ENGINE,
      env: 'PL_RENDER_PDF_ENGINE',
    },
    isolation: {
      doc: 'Where documents are opened and rendered: process (a render process per slice in flight, reused across documents; a native crash there fails that attempt with RENDER_CRASHED, not the stage) or inline (in the stage process; for debugging and profiling).',
      format: RENDER_ISOLATIONS,
      default: DEFAULT_RENDER_ISOLATION,
      env: 'PL_RENDER_ISOLATION',
    },
    renderTimeoutMs: {
      doc: 'With isolation=process, a render process that does not answer a request (open a document, render one page) within this many ms is taken for hung and killed; the attempt fails with RENDER_CRASHED and is retried.',
      format: 'nat',
      default: DEFAULT_RENDER_TIMEOUT_MS,
      env: 'PL_RENDER_TIMEOUT_MS',
    },
    renderProcessIdleMs: {
      doc: 'With isolation=process, a render process that has had no slice for this many ms ends, giving back its memory (PDFium keeps the heap of the largest document it opened); the next slice starts another (about 0.7 s). 0 keeps them.',
      format: 'nat',
      default: DEFAULT_RENDER_PROCESS_IDLE_MS,
      env: 'PL_RENDER_PROCESS_IDLE_MS',
    },
    alwaysRaster: {
      doc: 'Rasterise every PDF page, even text-only ones (slower; for debugging or a layout model).',
      format: Boolean,
      default: false,
      env: 'PL_RENDER_ALWAYS_RASTER',
    },
  },
};

export type RenderConfig = ReturnType<typeof loadRenderConfig>;

/** The handler's settings from the `render` config section (standalone process and embedded pipeline). */
export function renderSettings(render: RenderConfig['render']): RenderSettings {
  return {
    dpi: render.dpi,
    minTextChars: render.minTextChars,
    alwaysRaster: render.alwaysRaster,
    pdfEngine: render.pdfEngine as PdfEngine,
    isolation: render.isolation as RenderIsolation,
    renderTimeoutMs: Math.max(1, render.renderTimeoutMs),
    renderProcessIdleMs: render.renderProcessIdleMs,
    inlineTextLayerBytes: render.inlineTextLayerBytes,
    slicePages: Math.max(1, render.slicePages),
    throttlePages: render.throttlePages,
    throttleBacklogPages: render.throttleBacklogPages,
    throttleWaitMs: render.throttleWaitMs,
    limits: { maxPages: render.maxPages, maxPixels: render.maxPixels, maxBytes: render.maxBytes },
  };
}

export function loadRenderConfig(options: LoadOptions = {}) {
  return loadConfig(renderSchema, options);
}
