// The layout stage's settings (convict): the base settings plus a `layout` section.
import { baseSchema, loadConfig, type LoadOptions } from '@paperline/config';
import { DEFAULT_FEATURE_CACHE_MS } from './features.js';

export const DEFAULT_OCR_LANG = 'en';

export const layoutSchema = {
  ...baseSchema,
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
  },
};

export type LayoutConfig = ReturnType<typeof loadLayoutConfig>;

export function loadLayoutConfig(options: LoadOptions = {}) {
  return loadConfig(layoutSchema, options);
}
