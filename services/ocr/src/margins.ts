// Page furniture seen on a single page: running heads, folios and page numbers sit alone in the
// top or bottom margin. They are typed header/footer (kept in the JSON, left out of Markdown);
// the document-level pass in assemble still catches the ones that only repeat across pages.
import type { Block } from '@paperline/contracts';
import { boxHeight, median } from '@paperline/vision';

export interface MarginOptions {
  /** A one-line block of body-size text ending above this share of the page height is a header. @default 0.11 */
  topBand?: number;
  /** A block of at most two lines starting below this share is a footer. @default 0.93 */
  bottomBand?: number;
  /** A bare page number within this share of the top or bottom is furniture. @default 0.12 */
  pageNumberBand?: number;
}

export const DEFAULT_TOP_BAND = 0.11;
export const DEFAULT_BOTTOM_BAND = 0.93;
export const DEFAULT_PAGE_NUMBER_BAND = 0.12;
/** A top line taller than this many median line heights is a title, not a running head. */
const MAX_HEADER_LINE_RATIO = 1.3;
const PAGE_NUMBER = /^\s*(page\s*)?[-–—]?\s*(\d{1,4}|[ivxlc]{1,6})\s*[-–—]?\s*(\/\s*\d{1,4})?\s*$/i;

export function markMargins(blocks: Block[], pageHeight: number, options: MarginOptions = {}): Block[] {
  const top = (options.topBand ?? DEFAULT_TOP_BAND) * pageHeight;
  const bottom = (options.bottomBand ?? DEFAULT_BOTTOM_BAND) * pageHeight;
  const numberBand = (options.pageNumberBand ?? DEFAULT_PAGE_NUMBER_BAND) * pageHeight;
  const lineHeight = median(blocks.flatMap((b) => (b.lines ?? [b]).map((l) => boxHeight(l.bbox))));
  return blocks.map((block) => {
    const [, y0, , y1] = block.bbox;
    const lines = block.lines?.length ?? 1;
    const pageNumber = PAGE_NUMBER.test(block.text);
    const small = boxHeight(block.bbox) <= MAX_HEADER_LINE_RATIO * lineHeight;
    if ((y1 <= top && lines === 1 && small) || (pageNumber && y1 <= numberBand)) return { ...block, type: 'header' };
    if ((y0 >= bottom && lines <= 2) || (pageNumber && y0 >= pageHeight - numberBand)) return { ...block, type: 'footer' };
    return block;
  });
}
