export { createRenderHandler, DEFAULT_RENDER_SETTINGS, type RenderHandlerDeps, type RenderSettings, type DocumentOpenedInfo } from './handler.js';
export { openDocument, selectPages } from './open.js';
export { sniffFormat, SOURCE_FORMATS, type SourceFormat } from './sniff.js';
export { renderSchema, loadRenderConfig, renderSettings, type RenderConfig } from './config.js';
export {
  DEFAULT_DPI,
  DEFAULT_MIN_TEXT_CHARS,
  DEFAULT_RENDER_LIMITS,
  DEFAULT_PDF_ENGINE,
  DEFAULT_RENDER_ISOLATION,
  PDF_ENGINES,
  RENDER_ISOLATIONS,
  type PdfEngine,
  type RenderIsolation,
  type OpenedDocument,
  type OpenOptions,
  type RenderedPage,
  type RenderLimits,
} from './types.js';
export { renderStage } from './stage.js';
