// The layout stage's settings (convict): the base, memory and models settings plus a `layout` section.
import { baseSchema, loadConfig, type LoadOptions } from '@paperline/config';
import { memorySchema } from '@paperline/memory';
import { modelsSchema } from '@paperline/models';
import { DEFAULT_DETECT_OPTIONS } from './doclayout-detector.js';
import { DEFAULT_FEATURE_CACHE_MS } from './features.js';

export const DEFAULT_OCR_LANG = 'en';
/** `auto` takes the first of these whose file is installed, most accurate first. */
export const LAYOUT_MODEL_PREFERENCE = ['pp-doclayout-plus-l', 'pp-doclayout-l', 'pp-doclayout-m', 'pp-doclayout-s'] as const;

export const layoutSchema = {
  ...baseSchema,
  ...memorySchema,
  ...modelsSchema,
  layout: {
    featureCacheMs: {
      doc: 'How long the feature flags of pl-control are cached before they are read again.',
      format: 'nat',
      default: DEFAULT_FEATURE_CACHE_MS,
      env: 'PL_LAYOUT_FEATURE_CACHE_MS',
    },
    defaultLang: {
      doc: 'OCR language of a region when the request names none.',
      format: ['en', 'ch'],
      default: DEFAULT_OCR_LANG,
      env: 'PL_LAYOUT_DEFAULT_LANG',
    },
    model: {
      doc: `Layout model: a manifest id (${LAYOUT_MODEL_PREFERENCE.join(', ')}), 'auto' (the first of those installed under the models dir) or 'none' (text-layer heuristics, OCR page mode for scans).`,
      format: String,
      default: 'auto',
      env: 'PL_LAYOUT_MODEL',
    },
    modelOnTextPages: {
      doc: 'With a layout model, also lay out born-digital pages that carry a whole-page raster with it (scans always use it).',
      format: Boolean,
      default: true,
      env: 'PL_LAYOUT_MODEL_ON_TEXT_PAGES',
    },
    scoreThreshold: {
      doc: 'Layout detections scoring lower are dropped.',
      format: Number,
      default: DEFAULT_DETECT_OPTIONS.scoreThreshold,
      env: 'PL_LAYOUT_SCORE_THRESHOLD',
    },
    overlapIou: {
      doc: 'Two detections of one class overlapping by more than this IoU are one region.',
      format: Number,
      default: DEFAULT_DETECT_OPTIONS.overlapIou,
      env: 'PL_LAYOUT_OVERLAP_IOU',
    },
    threads: { doc: 'onnxruntime intra-op threads per layout inference.', format: 'nat', default: 2, env: 'PL_LAYOUT_THREADS' },
  },
};

export type LayoutConfig = ReturnType<typeof loadLayoutConfig>;

export function loadLayoutConfig(options: LoadOptions = {}) {
  return loadConfig(layoutSchema, options);
}
