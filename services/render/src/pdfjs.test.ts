import { describe, expect, it } from 'vitest';
import { getDocument } from './pdfjs.js';

describe('pdfjs import', () => {
  it('leaves the native JSON.stringify in place', () => {
    expect(typeof getDocument).toBe('function');
    expect(Function.prototype.toString.call(JSON.stringify)).toContain('[native code]');
  });
});
