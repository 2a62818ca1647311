import type { Block } from '@paperline/contracts';

/** Share of the page height, at the top and at the bottom, where running headers and footers live. */
const MARGIN_BAND = 0.09;
/** A text counts as running when it recurs on at least this share of the pages (and on 2 or more). */
const MIN_RECURRENCE = 0.4;

export interface PageBlocks {
  height: number;
  blocks: Block[];
}

/** Page numbers and dates vary from page to page; the rest of a running header does not. */
function signature(text: string): string {
  return text.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
}

function band(block: Block, height: number): 'top' | 'bottom' | undefined {
  if (height <= 0) return undefined;
  const [, y0, , y1] = block.bbox;
  if (y1 <= height * MARGIN_BAND) return 'top';
  if (y0 >= height * (1 - MARGIN_BAND)) return 'bottom';
  return undefined;
}

/**
 * Marks running headers and footers: blocks in the top or bottom margin whose text recurs across
 * pages, and bare page numbers there. Only a whole document shows what repeats, so this runs at
 * assembly, not per page in layout. Returns new block arrays; the inputs are left as they are.
 */
export function markPageFurniture(pages: PageBlocks[]): Block[][] {
  const counts = new Map<string, number>();
  for (const page of pages) {
    const seen = new Set<string>();
    for (const block of page.blocks) {
      const where = band(block, page.height);
      if (!where) continue;
      const key = `${where}:${signature(block.text)}`;
      if (!seen.has(key)) counts.set(key, (counts.get(key) ?? 0) + 1);
      seen.add(key);
    }
  }
  const threshold = Math.max(2, Math.ceil(pages.length * MIN_RECURRENCE));
  return pages.map((page) =>
    page.blocks.map((block) => {
      if (block.type === 'header' || block.type === 'footer') return block;
      const where = band(block, page.height);
      if (!where) return block;
      const recurring = (counts.get(`${where}:${signature(block.text)}`) ?? 0) >= threshold;
      const pageNumber = /^\s*(page\s*)?[-–]?\s*\d{1,4}\s*[-–]?\s*(\/\s*\d{1,4})?\s*$/i.test(block.text);
      if (!recurring && !pageNumber) return block;
      return { ...block, type: where === 'top' ? 'header' : 'footer' };
    }),
  );
}
