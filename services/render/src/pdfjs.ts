// The one import of pdfjs (legacy build, worker run in this thread). The legacy build's core-js
// polyfills replace builtins process-wide on Node 20: Array.prototype.push (for an edge case of
// lengths over 2^32) and JSON.stringify (a wrapper that calls back into JavaScript for every key,
// for JSON.rawJSON). Every push and every encode of every stage, the bus and the logger paid for
// them (~8% of the embedded pipeline's CPU); the engine's versions are put back once pdfjs is loaded.
import { restoreNativeBuiltins } from './native-builtins.js';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
// @ts-expect-error the worker module ships no type declarations
import * as pdfjsWorker from 'pdfjs-dist/legacy/build/pdf.worker.mjs';

restoreNativeBuiltins();

// pdfjs runs its worker in this thread when it finds the handler here; otherwise it imports the
// worker module lazily, and that late import (through a module loader hook) left a port that kept
// a finished CLI process alive
(globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = pdfjsWorker;

export const { getDocument, OPS, Util } = pdfjs;
export type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
