// A scanned page's blocks from its OCR lines alone (no layout model): lines grouped into
// paragraphs, the paragraphs put in reading order, and lone lines in the margins typed as page
// furniture.
import type { BBox, Block, BlockType } from '@paperline/contracts';
import { groupLinesIntoBlocks, readingOrder } from '@paperline/vision';
import { markMargins, type MarginOptions } from './margins.js';
import type { OcrLine } from './ocr-line.js';
import { joinLines } from './text-join.js';

export interface PageBlocksOptions {
  /** Type lone lines in the page margins as header/footer; false leaves every block text. */
  margins?: MarginOptions | false;
}

export function pageBlocks(lines: OcrLine[], page: { width: number; height: number; idPrefix: string }, options: PageBlocksOptions = {}): Block[] {
  const groups = readingOrder(groupLinesIntoBlocks(lines), { pageWidth: page.width, pageHeight: page.height });
  const blocks = groups.map((g, order) => toBlock(`${page.idPrefix}-${order}`, 'text', g.bbox, order, g.lines));
  return options.margins === false ? blocks : markMargins(blocks, page.height, options.margins);
}

/** A known region's lines as one block of its type, in reading order. */
export function regionBlock(lines: OcrLine[], region: { id: string; type: BlockType; bbox: BBox; order: number }, page: { width: number; height: number }): Block {
  const groups = readingOrder(groupLinesIntoBlocks(lines), { pageWidth: page.width, pageHeight: page.height });
  return toBlock(region.id, region.type, region.bbox, region.order, groups.flatMap((g) => g.lines));
}

function toBlock(id: string, type: BlockType, bbox: BBox, order: number, lines: OcrLine[]): Block {
  const confidence = lines.length ? lines.reduce((s, l) => s + l.confidence, 0) / lines.length : 0;
  return {
    id,
    type,
    bbox,
    text: joinLines(lines.map((l) => l.text)),
    confidence,
    source: 'ocr',
    order,
    lines: lines.map(({ text, bbox: b, confidence: c }) => ({ text, bbox: b, confidence: c })),
  };
}
