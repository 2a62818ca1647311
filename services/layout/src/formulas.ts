// Display formulas from the text layer: pdfjs gives an equation as scattered fragments (a fraction's
// numerator, a sum's limits, the equation number). Fragments that share the row band of an
// equation number "(3)" at the right of a column become one formula region, and so does a short
// block set mostly in math fonts; the formula stage turns its glyph runs into LaTeX. Without a
// formula stage its text is the fallback, with a crop of the raster when the page has one.
import type { BBox, BlockType, GlyphRun, Ruling } from '@paperline/contracts';
import { overlap1d, unionBoxes } from '@paperline/vision';
import { faceShare } from './lines.js';

/** TeX's math italic, symbol and extension fonts and their kin (not CMR: TeX's text is set in it). */
const MATH_FONT = /^(?:CMMI|CMSY|CMEX|CMBSY|CMMIB|MSAM|MSBM|EUFM|EUSM|RSFS|TXMI|TXSY|TXEX|PXMI|PXSY|LMMathItalic|LMMathSymbols|LMMathExtension|STIXMath|XITSMath)|Math|^Symbol$/i;

export function isMathFont(font: string): boolean {
  return MATH_FONT.test(font);
}

/**
 * Dots do not count: TeX (Texinfo, LaTeX's \dotfill) sets the leaders of a table of contents as
 * math-mode periods in CMMI, which would make every contents line a formula.
 */
const NOT_COUNTED = /[\s.…‥]/gu;

/** The share of the runs' characters set in math fonts. */
export function mathShare(runs: readonly GlyphRun[]): number {
  return faceShare(runs, isMathFont, NOT_COUNTED);
}

/** Horizontal rulings across a box: a fraction's bars (a bar reaches past its numerator and denominator). */
export function rulingsInside(rulings: readonly Ruling[], box: BBox, slack = 4): Ruling[] {
  return rulings.filter((r) => r.y0 === r.y1 && r.y0 >= box[1] - slack && r.y0 <= box[3] + slack && overlap1d(r.x0, r.x1, box[0], box[2]) >= 0.5 * (r.x1 - r.x0));
}

export interface FormulaPart {
  type: BlockType;
  bbox: BBox;
  text: string;
  lines: unknown[];
}

const EQUATION_NUMBER = /^\(\s*\d{1,3}(?:\.\d{1,3})?[a-z]?\s*\)$/;
/** Only short fragments join an equation: a paragraph beside one never does. */
const MAX_PART_LINES = 2;
const MAX_PART_CHARS = 100;
const JOINABLE = new Set<BlockType>(['text', 'footnote', 'list']);

/**
 * Replaces each equation's fragments by one block made with `make(parts, number)`; parts are
 * sorted left to right. `maxWidth` bounds how far left of its number an equation reaches.
 */
export function mergeDisplayFormulas<T extends FormulaPart>(items: T[], maxWidth: number, make: (parts: T[], bbox: BBox) => T): T[] {
  const used = new Set<T>();
  const merged: T[] = [];
  const numbers = items.filter((i) => JOINABLE.has(i.type) && EQUATION_NUMBER.test(i.text.trim()));
  const rowOf = (item: T, number: T) => overlap1d(item.bbox[1], item.bbox[3], number.bbox[1], number.bbox[3]) > 0;
  for (const number of numbers) {
    if (used.has(number)) continue;
    const members = new Set<T>([number]);
    let band: BBox = number.bbox;
    for (let grew = true; grew; ) {
      grew = false;
      for (const item of items) {
        if (members.has(item) || used.has(item) || !JOINABLE.has(item.type)) continue;
        if (item.lines.length > MAX_PART_LINES || item.text.length > MAX_PART_CHARS || EQUATION_NUMBER.test(item.text.trim())) continue;
        // a fragment on the row of another equation's number belongs to that equation
        if (!rowOf(item, number) && numbers.some((n) => n !== number && rowOf(item, n))) continue;
        const b = item.bbox;
        const inColumn = b[2] <= number.bbox[0] + 2 && b[0] >= number.bbox[2] - maxWidth;
        // a fraction's denominator may sit just below the band
        const slack = 0.5 * (b[3] - b[1]);
        if (inColumn && overlap1d(b[1] - slack, b[3] + slack, band[1], band[3]) > 0) {
          members.add(item);
          band = unionBoxes([band, b]);
          grew = true;
        }
      }
    }
    if (members.size < 2) continue;
    for (const m of members) used.add(m);
    const parts = [...members].sort((a, b) => a.bbox[0] - b.bbox[0] || a.bbox[1] - b.bbox[1]);
    merged.push(make(parts, band));
  }
  return [...items.filter((i) => !used.has(i)), ...merged];
}
