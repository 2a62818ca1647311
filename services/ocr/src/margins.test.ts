import type { Block } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { markMargins } from './margins.js';

const block = (text: string, y0: number, y1: number, lines = 1): Block => ({
  id: text,
  type: 'text',
  bbox: [100, y0, 900, y1],
  text,
  confidence: 0.9,
  source: 'ocr',
  order: 0,
  lines: Array.from({ length: lines }, () => ({ text, bbox: [100, y0, 900, y1] as [number, number, number, number], confidence: 0.9 })),
});

describe('markMargins', () => {
  it('types lone lines in the margins and page numbers as header/footer, leaving body text alone', () => {
    const blocks = [
      block('Journal of Things 12 (2004) 301-305', 80, 100),
      block('Body paragraph', 150, 900, 20),
      block('A one-line paragraph below the top margin', 250, 265),
      block('163', 1780, 1810),
      block('Publisher footer', 1880, 1900),
    ];
    expect(markMargins(blocks, 2000).map((b) => b.type)).toEqual(['header', 'text', 'text', 'footer', 'footer']);
  });

  it('keeps a title at the top: its text is larger than the body text', () => {
    const blocks = [block('Big Report Title', 60, 140), block('Body', 300, 330), block('More body', 340, 370)];
    expect(markMargins(blocks, 2000).map((b) => b.type)).toEqual(['text', 'text', 'text']);
  });

  it('keeps a multi-line block at the top', () => {
    expect(markMargins([block('Title over two lines', 40, 180, 2)], 2000)[0]!.type).toBe('text');
  });
});
