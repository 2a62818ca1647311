import type { GlyphRun } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { glyphsToLatex } from './glyph-latex.js';
import { toLatex } from './unicode-latex.js';

/** A run with its baseline at y, as render boxes it (0.8 em above, 0.2 em below). */
const run = (text: string, x: number, y: number, size = 20, font = 'CMMI10'): GlyphRun => ({
  text,
  bbox: [x, y - 0.8 * size, x + 0.55 * size * [...text].length, y + 0.2 * size],
  font,
  size,
  bold: false,
  italic: false,
});

describe('glyph runs to LaTeX', () => {
  it('superscripts and subscripts from baseline offsets of smaller runs', () => {
    expect(glyphsToLatex([run('x', 100, 200), run('2', 112, 192, 14, 'CMR10'), run('+', 130, 200, 20, 'CMR10'), run('y', 150, 200), run('i', 162, 205, 14)])).toBe('x^{2}+y_{i}');
    // a script of a script
    expect(glyphsToLatex([run('e', 100, 200), run('x', 112, 192, 14), run('2', 120, 187, 10, 'CMR10')])).toBe('e^{x^{2}}');
  });

  it('a fraction from a ruling with runs above and below it, nested bars inside out', () => {
    const bar = { x0: 100, y0: 200, x1: 160, y1: 200 };
    expect(glyphsToLatex([run('a', 120, 192), run('b', 120, 222)], [bar])).toBe('\\frac{a}{b}');
    const inner = { x0: 130, y0: 230, x1: 150, y1: 230 };
    const nested = [run('1', 120, 192, 20, 'CMR10'), run('x', 130, 222, 14), run('y', 135, 245, 14), run('=', 60, 206, 20, 'CMR10'), run('z', 30, 206)];
    expect(glyphsToLatex(nested, [bar, inner])).toBe('z=\\frac{1}{\\frac{x}{y}}');
  });

  it('limits of a big operator, Greek letters and relations, an equation number dropped', () => {
    const runs = [run('∑', 100, 200, 28, 'CMEX10'), run('n', 104, 170, 12), run('i=1', 100, 222, 12), run('α', 130, 200), run('≤', 150, 200, 20, 'CMSY10'), run('1', 175, 200, 20, 'CMR10'), run('(3)', 400, 200, 20, 'CMR10')];
    expect(glyphsToLatex(runs)).toBe('\\sum_{i=1}^{n}\\alpha\\leq1');
  });

  it('rows that do not share a band become rows of an array', () => {
    expect(glyphsToLatex([run('a=b', 100, 200), run('c=d', 100, 260)])).toBe('a=b \\\\ c=d');
  });

  it('maps Unicode math to commands, keeping a command apart from a following letter', () => {
    expect(toLatex('𝑥 ∈ ℝ')).toBe('x\\in\\mathbb{R}');
    expect(toLatex('πr')).toBe('\\pi r');
    expect(toLatex('{%}')).toBe('\\{\\%\\}');
    expect(glyphsToLatex([])).toBe('');
  });
});
