// What a paragraph is, from its text and its style relative to the page's body text: title,
// heading (with a level), list item, caption, footnote, or plain text.
import type { BBox, BlockType } from '@paperline/contracts';
import { boxHeight, boxWidth, hasNeighbour, median, overlap1d } from '@paperline/vision';
import type { LineGroup } from './blocks.js';
import { LIST_MARKER } from './blocks.js';
import { monospaceShare } from './lines.js';

export interface Classified {
  type: BlockType;
  level?: number;
}

export interface PageStyle {
  /** Font size (px) of most of the page's characters. */
  bodySize: number;
  /** The font carrying the most characters. */
  bodyFont: string;
  /** The largest font size on the page. */
  largestSize: number;
  page: number;
  width: number;
  height: number;
  /** The boxes of the page's paragraphs, of those that are a bare number, and of its rotated lines: what furniture must stand apart from. */
  groups: readonly BBox[];
  numbers: readonly BBox[];
  rotated: readonly BBox[];
  /** About every character of the page is in a monospaced face. */
  typewritten: boolean;
}

const CAPTION = /^(?:fig(?:ure)?\.?|table|tab\.|chart|scheme|plate|exhibit)\s*[0-9IVX]+[a-z]?\s*[.:|\-—–]?/i;
/** A block this much in a monospaced face is preformatted text (code, a listing, a plain-text table)... */
const CODE_SHARE = 0.8;
/** ...unless about all of its page is: a typewritten page (a plain-text file, an RFC) is its text. */
const TYPEWRITTEN_SHARE = 0.95;
/** A heading is at most this many lines and characters. */
const HEADING_MAX_LINES = 3;
const HEADING_MAX_CHARS = 160;
/** Size ratios to the body text, for heading levels 1..3 (bold text at body size is level 4). */
const LEVEL_RATIOS = [1.6, 1.3, 1.1] as const;
/** Footnotes are smaller than the body and in the lowest part of the page. */
const FOOTNOTE_RATIO = 0.88;
const FOOTNOTE_ZONE = 0.75;
const FOOTNOTE_MARKER = /^(?:[*†‡§¶]|\d{1,2}\s|\p{Ll}\s?\p{Lu})/u;
/** "2.3. Statistical analyses", "IV. RESULTS", "Abstract": a section title when set apart by style. */
const SECTION_NUMBER = /^(\d{1,2}(?:\.\d{1,2})*)\.?\s+\p{Lu}|^[IVX]{1,5}\.\s+\p{Lu}/u;
const SECTION_WORD = /^(?:abstract|introduction|conclusions?|references|bibliography|acknowledge?ments?|appendix|related work|discussion|results|methods?)\b/i;

/** The body size: the font size carrying the most characters (sizes rounded to 0.5 px). */
export function pageStyle(groups: readonly LineGroup[], page: number, width: number, height: number): PageStyle {
  const weight = new Map<number, number>();
  const fonts = new Map<string, number>();
  let largestSize = 0;
  for (const group of groups) {
    for (const line of group.lines) {
      const size = Math.round(line.size * 2) / 2;
      weight.set(size, (weight.get(size) ?? 0) + line.text.length);
      fonts.set(line.font, (fonts.get(line.font) ?? 0) + line.text.length);
      // vertical margin text (arXiv stamps) is no title
      if (boxWidth(line.bbox) >= boxHeight(line.bbox)) largestSize = Math.max(largestSize, line.size);
    }
  }
  const [body] = [...weight.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const [bodyFont] = [...fonts.entries()].sort((a, b) => b[1] - a[1]);
  const rotated = groups.flatMap((g) => g.lines.filter((l) => l.rotated).map((l) => l.bbox));
  const numbers = groups.filter((g) => BARE_NUMBER.test(g.lines.map((l) => l.text).join(' '))).map((g) => g.bbox);
  return { bodySize: body?.[0] ?? 0, bodyFont: bodyFont?.[0] ?? '', largestSize, page, width, height, groups: groups.map((g) => g.bbox), numbers, rotated, typewritten: monospaceShare(groups.flatMap((g) => g.lines)) >= TYPEWRITTEN_SHARE };
}

/** Running headers and footers sit in these shares of the page height at its top and bottom... */
const FURNITURE_BAND = 0.075;
/** ...notices with furniture wording (URLs, download stamps, journal lines, page numbers) in these. */
const NOTICE_BAND = 0.12;
/** Marginal notes and stamps run along the outer edges, in these shares of the page width. */
const MARGIN_BAND = 0.12;
const NOTICE = /^(?:(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:\/|of)\s*\d{1,4})?|.*\b(?:downloaded|https?:\/\/|www\.|doi\b|doi\.org|©|copyright|all rights reserved|vol\.|volume\s+\d|pp\.|issn|arxiv:).*)$/iu;

/** Turned lines within this many line thicknesses of a turned line along the edge are its table or figure. */
const TURNED_NEIGHBOUR = 3;
/** Furniture has no other text within this many of its line heights... */
const APART_LINES = 1;
/** ...and a bare number no other on its row within this many (a chart's tick labels). */
const TICK_SPACING = 5;
const BARE_NUMBER = /^\W*\d{1,4}(?:[.,]\d+)?\W*$/u;

/** "1Code is at https://…", "* Corresponding author": a footnote, content even with a URL in it. */
const FOOTNOTE_START = /^(?:\d{1,2}\s?\p{L}|[*†‡§])/u;

/** A block set (almost) all in a monospaced face on a page that is not: a listing, a plain-text table. */
function preformatted(group: LineGroup, style: PageStyle): boolean {
  return !style.typewritten && monospaceShare(group.lines) >= CODE_SHARE;
}

/**
 * Page furniture from one page alone, by position, size and wording: a short line in the top or
 * bottom band set no larger than the body, a small notice (URL, stamp, journal line, page number)
 * a little further in, or rotated text along a side edge. Repetition across pages is assemble's.
 */
export function furniture(group: LineGroup, style: PageStyle): 'header' | 'footer' | undefined {
  const [x0, y0, x1, y1] = group.bbox;
  const rotated = group.lines.every((l) => l.rotated);
  const inTop = (band: number) => y1 <= style.height * band;
  const inBottom = (band: number) => y0 >= style.height * (1 - band);
  // upright text is furniture only in the notice bands (the widest of the bands below): most of a
  // page is decided here, before the neighbour search over every group of the page
  if (!rotated && !inTop(NOTICE_BAND) && !inBottom(NOTICE_BAND)) return undefined;
  const text = group.lines.map((l) => l.text).join(' ');
  const where = (y0 + y1) / 2 < style.height / 2 ? 'header' : 'footer';
  const size = Math.max(...group.lines.map((l) => l.size));
  if (rotated) {
    // a landscape table's caption runs along the edge too, in body size or smaller, beside the
    // table's own turned lines; a stamp stands alone
    const atEdge = x1 <= style.width * MARGIN_BAND || x0 >= style.width * (1 - MARGIN_BAND);
    const besideTurnedText = style.rotated.some((b) => !group.lines.some((l) => l.bbox === b) && overlap1d(b[1], b[3], y0, y1) > 0 && Math.max(b[0] - x1, x0 - b[2]) <= TURNED_NEIGHBOUR * (x1 - x0));
    return atEdge && !CAPTION.test(text) && (NOTICE.test(text) || (size < style.bodySize * 0.85 && !besideTurnedText)) ? where : undefined;
  }
  // a listing's line that a page break left at the top or bottom is no running header
  if (preformatted(group, style)) return undefined;
  const notLarger = style.bodySize === 0 || size <= style.bodySize * 1.05;
  // a running header or page number is set apart from the text; a chart's tick labels and axis
  // title at the top of a page sit close to one another
  const h = Math.max(1, ...group.lines.map((l) => boxHeight(l.bbox)));
  const number = BARE_NUMBER.test(text);
  if (hasNeighbour(group.bbox, style.groups, APART_LINES * h) || (number && hasNeighbour(group.bbox, style.numbers, TICK_SPACING * h, h / 2))) return undefined;
  if (notLarger && ((inTop(FURNITURE_BAND) && group.lines.length <= 2) || (inBottom(FURNITURE_BAND) && group.lines.length === 1))) return where;
  const smaller = style.bodySize === 0 || size < style.bodySize * 0.95;
  if ((smaller || number) && (inTop(NOTICE_BAND) || inBottom(NOTICE_BAND)) && group.lines.length <= 2 && NOTICE.test(text) && !FOOTNOTE_START.test(text)) return where;
  return undefined;
}

export function classify(group: LineGroup, style: PageStyle): Classified {
  const text = group.lines.map((l) => l.text).join(' ');
  const furnitureType = furniture(group, style);
  if (furnitureType) return { type: furnitureType };
  const size = Math.max(...group.lines.map((l) => l.size));
  const bold = group.lines.every((l) => l.bold);
  const ratio = style.bodySize > 0 ? size / style.bodySize : 1;
  if (CAPTION.test(text)) return { type: 'caption' };
  if (preformatted(group, style)) return { type: 'code' };
  const horizontal = boxWidth(group.bbox) >= boxHeight(group.bbox);
  const headingShaped = horizontal && group.lines.length <= HEADING_MAX_LINES && text.length <= HEADING_MAX_CHARS && /\p{L}/u.test(text);
  if (headingShaped && ratio >= LEVEL_RATIOS[LEVEL_RATIOS.length - 1]!) {
    const level = sectionDepth(text) ?? LEVEL_RATIOS.findIndex((r) => ratio >= r) + 1;
    if (ratio >= LEVEL_RATIOS[1] && style.page === 1 && size >= style.largestSize - 0.5 && group.bbox[1] < style.height / 3) return { type: 'title', level: 1 };
    return { type: 'heading', level };
  }
  // body-size text set apart (bold, or another font) on a line or two, not a sentence: a section heading
  // "II. BACKGROUND": a numbered capitalised line, even in small caps below the body size
  const numberedCaps = SECTION_NUMBER.test(text) && text === text.toUpperCase() && ratio >= 0.75;
  const setApart = bold || numberedCaps || (group.lines.every((l) => l.font !== style.bodyFont && !l.italic) && (SECTION_NUMBER.test(text) || SECTION_WORD.test(text)));
  if (headingShaped && setApart && (ratio >= 0.95 || numberedCaps) && group.lines.length <= 2 && !/[.,;]$/.test(text.trim())) {
    return { type: 'heading', level: sectionDepth(text) ?? (SECTION_WORD.test(text) ? 2 : 3) };
  }
  const footnoteZone = group.bbox[1] >= FOOTNOTE_ZONE * style.height;
  const typical = median(group.lines.map((l) => l.size)) / Math.max(0.1, style.bodySize);
  if (footnoteZone && typical <= FOOTNOTE_RATIO && (FOOTNOTE_MARKER.test(text) || typical <= 0.8)) return { type: 'footnote' };
  if (LIST_MARKER.test(group.lines[0]!.text)) return { type: 'list' };
  return { type: 'text' };
}

/**
 * Front matter of page 1: between the title and the first section heading come authors,
 * affiliations and e-mails, set in large or bold type but no headings.
 */
export function demoteFrontMatter<T extends { type: BlockType; level?: number; text: string; bbox: readonly number[] }>(blocks: T[]): void {
  const title = blocks.find((b) => b.type === 'title');
  if (!title) return;
  const sections = blocks.filter((b) => b.type === 'heading' && (SECTION_NUMBER.test(b.text) || SECTION_WORD.test(b.text)));
  // without a recognisable first section there is no telling front matter from headings: keep them
  if (sections.length === 0) return;
  const firstSection = Math.min(...sections.map((b) => b.bbox[1]!));
  for (const block of blocks) {
    if (block.type === 'heading' && block.bbox[1]! > title.bbox[1]! && block.bbox[1]! < firstSection && !sections.includes(block)) {
      block.type = 'text';
      delete block.level;
    }
  }
}

/** "2.3 Methods" is a level-3 heading (level 1 is the title); undefined without a section number. */
function sectionDepth(text: string): number | undefined {
  const match = SECTION_NUMBER.exec(text);
  if (!match) return undefined;
  return Math.min(6, (match[1]?.split('.').length ?? 1) + 1);
}
