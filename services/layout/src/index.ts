export { createLayoutHandler, DEFAULT_LAYOUT_SETTINGS, type LayoutHandlerDeps, type LayoutSettings } from './handler.js';
export { layoutPage, cropObjectName, type LayoutOptions, type PageLayoutResult, type RegionDraft, type CropRequest } from './layout-page.js';
export { buildLines, type TextLayerLine } from './lines.js';
export { CachedFeatures, effectiveFeatures, DEFAULT_FEATURE_CACHE_MS, type FeatureSet, type FeatureSource } from './features.js';
export { layoutSchema, loadLayoutConfig, DEFAULT_OCR_LANG, type LayoutConfig } from './config.js';
export { layoutStage } from './stage.js';
