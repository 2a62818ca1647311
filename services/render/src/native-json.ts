// Evaluated before pdfjs (see pdfjs.ts): keeps the engine's JSON.stringify, which the core-js
// polyfills of pdfjs's legacy build replace with a JavaScript wrapper for every caller in the process.
export const nativeStringify: typeof JSON.stringify = JSON.stringify;
