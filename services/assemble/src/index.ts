export { createAssembleHandler, type AssembleDeps } from './handler.js';
export { buildDocument, type AssembledPage } from './document.js';
export { renderMarkdown, blockToMarkdown } from './markdown.js';
export { markPageFurniture, type PageBlocks } from './page-furniture.js';
export { assembleStage } from './stage.js';
export { PageProgress, type Progress } from './page-progress.js';
