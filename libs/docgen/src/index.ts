export { generateDocument, truncatePages, type Arrangement, type Content, type DocumentModel, type GenerateOptions, type PageModel } from './model.js';
export { documentHtml } from './html.js';
export { documentMarkdown, pageMarkdown } from './markdown.js';
export { DocumentPrinter, DEFAULT_CHROMIUM, type PrintedDocument } from './print.js';
export { scanPages, type ScanOptions } from './scan.js';
export { devSet, FIXTURE_SET, modelsOf, type SetEntry } from './sets.js';
export { Random } from './random.js';
export type { Script } from './vocabulary.js';
