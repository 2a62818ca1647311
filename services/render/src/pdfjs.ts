// The one import of pdfjs (legacy build, worker run in this thread). The legacy build's core-js
// polyfills replace JSON.stringify process-wide with a wrapper that calls back into JavaScript for
// every key (Node 20 lacks JSON.rawJSON): it cost ~3% of the embedded pipeline's CPU in every
// stage's encode, the bus and the logger. The native one is put back once pdfjs is loaded.
import { nativeStringify } from './native-json.js';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
// @ts-expect-error the worker module ships no type declarations
import * as pdfjsWorker from 'pdfjs-dist/legacy/build/pdf.worker.mjs';

JSON.stringify = nativeStringify;

// pdfjs runs its worker in this thread when it finds the handler here; otherwise it imports the
// worker module lazily, and that late import (through a module loader hook) left a port that kept
// a finished CLI process alive
(globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = pdfjsWorker;

export const { getDocument, OPS, Util } = pdfjs;
export type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
