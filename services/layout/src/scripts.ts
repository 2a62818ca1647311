// Script-aware text of the text layer: glyphs come in visual order (left to right on the page), so
// right-to-left runs are turned back into logical order with the Unicode bidirectional algorithm
// (bidi-js), Arabic presentation forms become the letters they show, and CJK text is joined
// without the spaces that Latin word gaps get.
import bidiModule from 'bidi-js';

// bidi-js ships a UMD build whose module.exports is the factory, while its typings declare an ES
// default export: under NodeNext the types see a namespace, the runtime the function itself
const bidiFactory = bidiModule as unknown as typeof bidiModule.default;
const bidi = bidiFactory();

const RTL_LETTER = /[\u0590-\u05FF\u0600-\u06FF\u0700-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]/u;
const RTL_LETTERS = /[\u0590-\u05FF\u0600-\u06FF\u0700-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]/gu;
const LETTERS = /\p{L}/gu;
/** Arabic presentation forms A and B: contextual glyph shapes and ligatures (lam-alef), not letters. */
const ARABIC_PRESENTATION = /[\uFB50-\uFDFF\uFE70-\uFEFC]+/g;
/** Kangxi radicals and CJK compatibility ideographs, which some fonts map their glyphs to (⽂ for 文). */
const CJK_COMPATIBILITY = /[\u2F00-\u2FDF\uF900-\uFAFF]/g;

/** Whether a UTF-16 code unit is one that JavaScript's `\s` matches (every one lies in the BMP). */
export function isWhiteSpace(code: number): boolean {
  return (
    code === 0x20 ||
    (code >= 0x09 && code <= 0x0d) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** The UTF-16 length of `text` without its white space: `text.replace(/\s/g, '').length`, without building the string. */
export function visibleLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (!isWhiteSpace(text.charCodeAt(i))) n++;
  return n;
}

/** The letters a font's compatibility code points stand for (radicals, compatibility ideographs). */
export function normaliseCompatibility(text: string): string {
  return text.replace(CJK_COMPATIBILITY, (c) => c.normalize('NFKC'));
}

/** Ideographs, kana, hangul and full-width forms: no spaces between them. */
const CJK = /[\u2E80-\u2FFF\u3000-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFFEF]/u;

export function hasRtl(text: string): boolean {
  return RTL_LETTER.test(text);
}

/** Right-to-left letters outnumber the others: the line (or page) reads right to left. */
export function isRtl(text: string): boolean {
  const rtl = text.match(RTL_LETTERS)?.length ?? 0;
  return rtl > 0 && rtl * 2 >= (text.match(LETTERS)?.length ?? 0);
}

export function isCjk(char: string | undefined): boolean {
  return char !== undefined && CJK.test(char);
}

/**
 * A line's text in visual order to logical order. Reordering by the bidirectional algorithm
 * reverses right-to-left runs and keeps numbers and Latin words inside them left to right; applied
 * to the visual string it undoes the reordering the writer did (levels 0-2, what text lines carry).
 * Presentation forms are normalised after the reordering, so a ligature (one code point) expands
 * into its letters in logical order.
 */
export function visualToLogical(text: string): string {
  if (!hasRtl(text)) return text;
  const levels = bidi.getEmbeddingLevels(text, isRtl(text) ? 'rtl' : 'ltr');
  const chars = text.split('');
  for (const [start = 0, end = -1] of bidi.getReorderSegments(text, levels)) {
    const reversed = chars.slice(start, end + 1).reverse();
    chars.splice(start, reversed.length, ...reversed);
  }
  return chars.join('').replace(ARABIC_PRESENTATION, (forms) => forms.normalize('NFKC'));
}
