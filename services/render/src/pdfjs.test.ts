import { describe, expect, it } from 'vitest';
import { isNativeFunction } from './native-builtins.js';
import { getDocument } from './pdfjs.js';

describe('pdfjs import', () => {
  it('leaves the engine builtins that its polyfills replace in place', () => {
    expect(typeof getDocument).toBe('function');
    expect(isNativeFunction(JSON.stringify)).toBe(true);
    expect(isNativeFunction(JSON.parse)).toBe(true);
    expect(isNativeFunction(Array.prototype.push)).toBe(true);
    expect(isNativeFunction(Function.prototype.toString)).toBe(true);
  });
});
