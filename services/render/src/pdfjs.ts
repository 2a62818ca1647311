// The one import of pdfjs (legacy build; its worker runs on a thread, see pdfjs-thread.ts). The legacy build's core-js
// polyfills replace builtins process-wide on Node 20: Array.prototype.push (for an edge case of
// lengths over 2^32) and JSON.stringify (a wrapper that calls back into JavaScript for every key,
// for JSON.rawJSON). Every push and every encode of every stage, the bus and the logger paid for
// them (~8% of the embedded pipeline's CPU); the engine's versions are put back once pdfjs is loaded.
import { restoreNativeBuiltins } from './native-builtins.js';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';

restoreNativeBuiltins();

export const { getDocument, OPS, Util, PDFWorker } = pdfjs;
export type PDFWorker = InstanceType<typeof pdfjs.PDFWorker>;
export type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
