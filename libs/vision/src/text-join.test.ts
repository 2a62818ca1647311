import { describe, expect, it } from 'vitest';
import { joinLines } from './text-join.js';

describe('joinLines', () => {
  it('joins Latin lines with a space and Chinese lines without one', () => {
    expect(joinLines(['The quick brown', 'fox jumps.'])).toBe('The quick brown fox jumps.');
    expect(joinLines(['中文的段落', '继续下去。'])).toBe('中文的段落继续下去。');
    expect(joinLines(['使用 PaddleOCR', '模型'])).toBe('使用 PaddleOCR模型');
  });

  it('puts a word hyphenated at a line end back together, but keeps real dashes', () => {
    expect(joinLines(['a recog-', 'nition model'])).toBe('a recognition model');
    expect(joinLines(['Gilbarg-', 'Trudinger'])).toBe('Gilbarg-Trudinger');
    expect(joinLines(['pages 3 -', 'and more'])).toBe('pages 3 - and more');
  });

  it('skips empty lines', () => {
    expect(joinLines(['', ' one ', '  ', 'two'])).toBe('one two');
  });
});
