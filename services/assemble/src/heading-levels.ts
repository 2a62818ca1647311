import type { Block } from '@paperline/contracts';

/** Heading sizes within this ratio of the largest of their rank share its level. */
const SAME_RANK = 1.06;
const MAX_LEVEL = 6;

/**
 * Heading levels of a born-digital document from font-size ranks across all its pages: a page
 * alone cannot tell a section heading on page 3 from the title size on page 1 (layout guesses a
 * level per page from the ratio to that page's body text). The largest heading size is level 2
 * under a title, level 1 without one; each smaller size one deeper. Headings without a font size
 * (OCR, model regions) keep their page's level. Returns new block arrays.
 */
export function rankHeadingLevels(pages: Block[][]): Block[][] {
  const sized = (b: Block) => b.type === 'heading' && b.fontSize !== undefined;
  const sizes = [...new Set(pages.flatMap((blocks) => blocks.filter(sized).map((b) => b.fontSize!)))].sort((a, b) => b - a);
  if (sizes.length === 0) return pages;
  const tops: number[] = [];
  for (const size of sizes) if (tops.length === 0 || size * SAME_RANK < tops[tops.length - 1]!) tops.push(size);
  const base = pages.some((blocks) => blocks.some((b) => b.type === 'title')) ? 2 : 1;
  const levelOf = (size: number) => Math.min(MAX_LEVEL, base + tops.findIndex((top) => size * SAME_RANK >= top));
  return pages.map((blocks) => blocks.map((b) => (sized(b) ? { ...b, level: levelOf(b.fontSize!) } : b)));
}
