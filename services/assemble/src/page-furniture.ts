import type { Block } from '@paperline/contracts';
import { boxHeight, hasNeighbour } from '@paperline/vision';

/** Share of the page height, at the top and at the bottom, where running headers and footers live (a journal's header may sit 11 % down). */
const MARGIN_BAND = 0.12;
/** A text counts as running when it recurs on at least this share of the pages (and on 2 or more). */
const MIN_RECURRENCE = 0.4;

export interface PageBlocks {
  height: number;
  blocks: Block[];
}

const PAGE_NUMBER = /^\s*(page\s*)?[-–]?\s*\d{1,4}\s*[-–]?\s*(\/\s*\d{1,4})?\s*$/i;
const TICK = /^\s*[-–]?\d+(?:[.,]\d+)?\s*$/;
/** A page number has no other text within its height, nor another number within this many heights on its row (a chart's tick labels). */
const TICK_SPACING = 5;

function apart(block: Block, blocks: readonly Block[]): boolean {
  const h = Math.max(1, boxHeight(block.bbox));
  const others = blocks.filter((b) => b !== block);
  if (hasNeighbour(block.bbox, others.map((b) => b.bbox), h)) return false;
  return !hasNeighbour(block.bbox, others.filter((b) => TICK.test(b.text)).map((b) => b.bbox), TICK_SPACING * h, h / 2);
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
      // a running header often repeats the title, which page 1 sets large at its top; and a
      // chapter heading atop every page recurs by its signature (Chapter 1, Chapter 2) but is content
      if (block.type === 'header' || block.type === 'footer' || block.type === 'title' || block.type === 'heading') return block;
      const where = band(block, page.height);
      if (!where) return block;
      const recurring = (counts.get(`${where}:${signature(block.text)}`) ?? 0) >= threshold;
      const pageNumber = PAGE_NUMBER.test(block.text) && apart(block, page.blocks);
      if (!recurring && !pageNumber) return block;
      return { ...block, type: where === 'top' ? 'header' : 'footer' };
    }),
  );
}
