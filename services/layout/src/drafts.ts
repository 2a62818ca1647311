// A page's layout before it is numbered: drafts (a block's type, box and text, or a region that a
// feature stage finishes), put in reading order and turned into the PageLayout's blocks, the
// regions routed onward, and the crops the handler cuts from the raster. Both backends (the
// text-layer heuristics and the PP-DocLayout model) end here.
import { ObjectNames, type BBox, type Block, type FeatureName, type GlyphRun, type PageTask, type Ruling, type TextLine } from '@paperline/contracts';
import { boxHeight, median, readingOrder } from '@paperline/vision';
import { preformattedText, type TextLayerLine } from './lines.js';
import { isCjk, isRtl } from './scripts.js';

/** Stages a region of a page can be routed to. */
export type RegionStage = 'ocr' | 'formula' | 'table' | 'chart';

/** What travels with a routed region besides its box. */
export interface RegionPayload {
  runs?: GlyphRun[];
  rulings?: Ruling[];
  /** Text-layer words of a table or chart region. */
  words?: TextLine[];
  caption?: string;
  /** Feature stages a page-mode OCR region may route its own regions to. */
  routes?: FeatureName[];
}

export interface Draft {
  type: Block['type'];
  bbox: BBox;
  text: string;
  level?: number;
  lines: TextLayerLine[];
  html?: string;
  crop?: boolean;
  source: Block['source'];
  confidence: number;
  /** Finished by a feature stage instead of inline: the stage, and what travels with the region. */
  /** With `crop`, the region carries its crop as `image` (a chart). */
  route?: { stage: RegionStage; mode: 'page' | 'region' } & RegionPayload;
}

/** A crop the handler cuts from the page raster and stores under `object`. */
export interface CropRequest {
  blockId: string;
  object: string;
  bbox: BBox;
}

/** A region routed to a feature stage. */
export interface RegionDraft extends RegionPayload {
  regionId: string;
  stage: RegionStage;
  type: Block['type'];
  bbox: BBox;
  order: number;
  mode: 'page' | 'region';
  /** Object in `pl-pages` of the region's crop. */
  image?: string;
}

export interface PageLayoutResult {
  blocks: Block[];
  regions: RegionDraft[];
  crops: CropRequest[];
  /** Which backend laid the page out. */
  backend: 'text-layer' | 'model' | 'ocr-page' | 'blank';
}

/** The object a block's crop is stored under in `pl-pages`. */
export function cropObjectName(docId: string, page: number, blockId: string): string {
  return `${ObjectNames.pageRaster(docId, page).replace(/\.png$/, '')}.${blockId}.png`;
}

const toTextLine = (line: TextLayerLine): TextLine => ({ text: line.text, bbox: line.bbox, confidence: 1 });

/** The narrowest column gap, in line heights (a 6 pt gutter beside 10 pt text is about 0.45). */
const MIN_COLUMN_GAP_LINES = 0.3;

/** Drafts in reading order: blocks numbered b0.., regions r0.., both sharing one order. */
export function finishPage(task: PageTask, drafts: Draft[], backend: PageLayoutResult['backend']): PageLayoutResult {
  const lines = drafts.flatMap((d) => d.lines);
  const lineHeight = median(lines.map((l) => boxHeight(l.bbox)));
  // lines were split at gutters already: a column gap as narrow as 6 pt is a real one
  const columnGap = lineHeight > 0 ? { lineHeight, minColumnGap: MIN_COLUMN_GAP_LINES * lineHeight } : {};
  const rtl = isRtl(lines.map((l) => l.text).join(' '));
  const ordered = readingOrder(drafts, { pageWidth: task.width, pageHeight: task.height, ...columnGap, rtl });
  const crops: CropRequest[] = [];
  const blocks: Block[] = [];
  const regions: RegionDraft[] = [];
  ordered.forEach((draft, order) => {
    const bbox = roundBox(draft.bbox);
    if (draft.route) {
      const { stage, mode, ...payload } = draft.route;
      const region: RegionDraft = { regionId: mode === 'page' ? 'page' : `r${order}`, stage, type: draft.type, bbox, order, mode, ...payload };
      if (draft.crop) {
        region.image = cropObjectName(task.docId, task.page, region.regionId);
        crops.push({ blockId: region.regionId, object: region.image, bbox });
      }
      regions.push(region);
      return;
    }
    const id = `b${order}`;
    const block: Block = {
      id,
      type: draft.type,
      bbox,
      text: draft.text,
      confidence: draft.confidence,
      source: draft.source,
      order,
      lines: draft.lines.map(toTextLine),
      ...(draft.level ? { level: draft.level } : {}),
      ...headingSize(draft),
      ...(draft.html ? { html: draft.html } : {}),
    };
    if (draft.crop) {
      const object = cropObjectName(task.docId, task.page, id);
      crops.push({ blockId: id, object, bbox: block.bbox });
      block.image = object;
    }
    blocks.push(block);
  });
  return { blocks, regions, crops, backend };
}

/** A text-layer heading's font size, by which assemble ranks heading levels across the document. */
function headingSize(draft: Draft): { fontSize?: number } {
  if (draft.type !== 'title' && draft.type !== 'heading') return {};
  const size = Math.max(0, ...draft.lines.map((l) => l.size));
  return size > 0 ? { fontSize: size } : {};
}

/** A block's text: code as it was set, line by line; anything else as running text. */
export function blockText(type: Block['type'], lines: readonly TextLayerLine[], bbox: BBox): string {
  return type === 'code' ? preformattedText(lines, bbox[0]) : joinLines(lines);
}

/** Lines to running text: a word hyphenated across a line break is joined again. */
export function joinLines(lines: readonly TextLayerLine[]): string {
  let text = '';
  for (const line of lines) {
    if (!text) text = line.text;
    else if (/\p{Ll}[-\u00ad\u2010]$/u.test(text) && /^\p{Ll}/u.test(line.text)) text = text.slice(0, -1) + line.text;
    else if (isCjk(text.at(-1)) && isCjk(line.text[0])) text += line.text;
    else text += ` ${line.text}`;
  }
  return text;
}

function roundBox(b: BBox): BBox {
  return [Math.floor(b[0]), Math.floor(b[1]), Math.ceil(b[2]), Math.ceil(b[3])];
}
