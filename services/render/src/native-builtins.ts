// Evaluated before pdfjs (see pdfjs.ts): the engine's own versions of the builtins that the core-js
// polyfills of pdfjs's legacy build replace process-wide on Node 20, to be put back once it is loaded.
const arrayPush = Array.prototype.push;
const jsonStringify = JSON.stringify;
const jsonParse = JSON.parse;
const functionToString = Function.prototype.toString;

/** Puts the saved builtins back. */
export function restoreNativeBuiltins(): void {
  Array.prototype.push = arrayPush;
  JSON.stringify = jsonStringify;
  JSON.parse = jsonParse;
  Function.prototype.toString = functionToString;
}

/** Whether `fn` is one of the engine's functions (read with the saved toString: core-js's own disguises its polyfills). */
export function isNativeFunction(fn: unknown): boolean {
  return typeof fn === 'function' && functionToString.call(fn).includes('[native code]') && !functionToString.call(fn).includes('core-js');
}
