// The render stage's settings (convict): the base settings plus a `render` section.
import { baseSchema, loadConfig, type LoadOptions } from '@paperline/config';
import { MAX_FILE_BYTES_ENV } from '@paperline/contracts';
import { DEFAULT_INLINE_TEXT_LAYER_BYTES, type RenderSettings } from './handler.js';
import { DEFAULT_DPI, DEFAULT_MIN_TEXT_CHARS, DEFAULT_RENDER_LIMITS } from './types.js';

export const renderSchema = {
  ...baseSchema,
  render: {
    dpi: { doc: 'Raster DPI of PDF pages (a request may ask for another).', format: 'nat', default: DEFAULT_DPI, env: 'PL_RENDER_DPI' },
    maxPages: { doc: 'Most pages (or TIFF frames) a document may have.', format: 'nat', default: DEFAULT_RENDER_LIMITS.maxPages, env: 'PL_RENDER_MAX_PAGES' },
    maxPixels: {
      doc: 'Most pixels of an input image or page raster; checked on the header before decoding.',
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
    inlineTextLayerBytes: render.inlineTextLayerBytes,
    limits: { maxPages: render.maxPages, maxPixels: render.maxPixels, maxBytes: render.maxBytes },
  };
}

export function loadRenderConfig(options: LoadOptions = {}) {
  return loadConfig(renderSchema, options);
}
