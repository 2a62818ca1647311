import { describe, expect, it } from 'vitest';
import { isWhiteSpace, visibleLength } from './scripts.js';

describe('isWhiteSpace', () => {
  it('holds for exactly the UTF-16 code units that /\\s/ matches', () => {
    const differing: number[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      if (isWhiteSpace(code) !== /\s/.test(String.fromCharCode(code))) differing.push(code);
    }
    expect(differing).toEqual([]);
  });
});

describe('visibleLength', () => {
  it("counts what text.replace(/\\s/g, '') leaves", () => {
    for (const text of ['', '   ', 'a b\tc\n', '\u00a0x\u3000y\u2009', 'مرحبا بالعالم', '𝑥 = 𝑦²', '\ufeffword']) {
      expect(visibleLength(text)).toBe(text.replace(/\s/g, '').length);
    }
  });
});
