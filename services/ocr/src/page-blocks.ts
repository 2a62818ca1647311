// A scanned page's blocks from its OCR lines alone (no layout model): lines grouped into
// paragraphs, the paragraphs put in reading order, and lone lines in the margins typed as page
// furniture.
import type { BBox, Block, BlockType } from '@paperline/contracts';
import { alignedTableBoxes, boxHeight, findRasterRulings, grayOf, groupLinesIntoBlocks, joinLines, median, readingOrder, rulingTableBoxes, type LineBlock } from '@paperline/vision';
import { markMargins, type MarginOptions } from './margins.js';
import type { OcrLine } from './ocr-line.js';
import type { RgbImage } from './raster.js';

export interface PageBlocksOptions {
  /** Type lone lines in the page margins as header/footer; false leaves every block text. */
  margins?: MarginOptions | false;
  /**
   * The upright page image, to find table candidates in (rulings in its pixels, columns of
   * aligned lines): each becomes one `table` block holding its lines. Absent: no tables.
   */
  tables?: RgbImage;
}

/**
 * A detected line continues the row of the line before it only where the two overlap: a row
 * continued across a gap (as text-layer lines split at a wide space are) bridges the narrow
 * gutters of newspaper columns, and the paragraphs of two columns become one (demo pages:
 * ned_chars 0.342 -> 0.319 with the line height below as well, newspapers 0.68 -> 0.20).
 */
const OCR_MAX_ROW_GAP = 0;

/**
 * Paragraphs in reading order. Columns are told apart by gaps measured in text lines, not in
 * paragraphs: the median paragraph is several lines tall, wider than a newspaper's gutter.
 */
function orderedParagraphs<T extends LineBlock<OcrLine>>(lines: OcrLine[], page: { width: number; height: number }, extra: T[] = []): Array<LineBlock<OcrLine> | T> {
  const taken = new Set(extra.flatMap((t) => t.lines));
  const paragraphs = groupLinesIntoBlocks(lines.filter((l) => !taken.has(l)), { maxRowGap: OCR_MAX_ROW_GAP });
  const lineHeight = median(lines.map((l) => boxHeight(l.bbox)));
  return readingOrder<LineBlock<OcrLine> | T>([...paragraphs, ...extra], { pageWidth: page.width, pageHeight: page.height, ...(lineHeight > 0 ? { lineHeight } : {}) });
}

interface TableCandidate extends LineBlock<OcrLine> {
  table: true;
}

/** Table candidates of a scanned page: stacks of rulings in its pixels, and columns of aligned lines. */
function tableCandidates(image: RgbImage, lines: readonly OcrLine[]): TableCandidate[] {
  const boxes = alignedTableBoxes(lines, rulingTableBoxes(findRasterRulings(grayOf(image))));
  const taken = new Set<OcrLine>();
  return boxes.flatMap((bbox) => {
    const inside = lines.filter((l) => !taken.has(l) && centreInside(l.bbox, bbox));
    for (const l of inside) taken.add(l);
    return inside.length > 0 ? [{ bbox, lines: inside, table: true as const }] : [];
  });
}

function centreInside(b: BBox, box: BBox): boolean {
  const x = (b[0] + b[2]) / 2;
  const y = (b[1] + b[3]) / 2;
  return x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];
}

/** A block of at most this many lines, each this many times the page's median line height, is a heading. */
const HEADING_MAX_LINES = 2;
export const HEADING_MIN_HEIGHT_RATIO = 1.4;
/** Heading heights within this ratio of each other share a level. */
const HEADING_LEVEL_STEP = 1.15;
const MAX_HEADING_LEVEL = 4;

export function pageBlocks(lines: OcrLine[], page: { width: number; height: number; idPrefix: string }, options: PageBlocksOptions = {}): Block[] {
  const tables = options.tables ? tableCandidates(options.tables, lines) : [];
  const groups = orderedParagraphs(lines, page, tables);
  const isTable = (g: LineBlock<OcrLine>): g is TableCandidate => 'table' in g;
  const blocks = headings(
    groups.map((g, order) => (isTable(g) ? toBlock(`${page.idPrefix}-t${order}`, 'table', g.bbox, order, g.lines) : toBlock(`${page.idPrefix}-${order}`, 'text', g.bbox, order, g.lines))),
  );
  return options.margins === false ? blocks : markMargins(blocks, page.height, options.margins);
}

/**
 * Headings of a scan by line height: short blocks of lines clearly taller than the page's body
 * text. Levels rank their heights, tallest first (level 1, typed title), heights alike sharing one.
 */
function headings(blocks: Block[]): Block[] {
  const lineHeight = (b: Block) => median((b.lines ?? []).map((l) => boxHeight(l.bbox)));
  const body = median(blocks.flatMap((b) => (b.lines ?? []).map((l) => boxHeight(l.bbox))));
  const tall = blocks.filter((b) => b.type === 'text' && (b.lines?.length ?? 0) <= HEADING_MAX_LINES && lineHeight(b) >= HEADING_MIN_HEIGHT_RATIO * body);
  const levels: number[] = [];
  for (const height of tall.map(lineHeight).sort((a, b) => b - a)) {
    if (levels.length === 0 || levels[levels.length - 1]! > HEADING_LEVEL_STEP * height) levels.push(height);
  }
  const levelOf = (height: number) => Math.min(MAX_HEADING_LEVEL, 1 + levels.findIndex((top) => top <= HEADING_LEVEL_STEP * height));
  const headed = new Set(tall);
  return blocks.map((b) => {
    if (!headed.has(b)) return b;
    const level = levelOf(lineHeight(b));
    return { ...b, type: level === 1 ? 'title' : 'heading', level };
  });
}

/** A known region's lines as one block of its type, in reading order. */
export function regionBlock(lines: OcrLine[], region: { id: string; type: BlockType; bbox: BBox; order: number }, page: { width: number; height: number }): Block {
  const groups = orderedParagraphs(lines, page);
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
