// One page's layout from its text layer, without a learned model: figures from image rectangles,
// tables from rulings, paragraphs from lines, each classified, all in reading order. A page
// without a text layer becomes one page-mode OCR region.
import {
  ObjectNames,
  type BBox,
  type Block,
  type FeatureName,
  type PageTask,
  type PageTextLayer,
  type TextLine,
} from '@paperline/contracts';
import { boxHeight, median, readingOrder, unionBoxes } from '@paperline/vision';
import { groupBlocks } from './blocks.js';
import { classify, demoteFrontMatter, pageStyle } from './classify.js';
import { mergeDisplayFormulas } from './formulas.js';
import { buildLines, type TextLayerLine } from './lines.js';
import { isCjk, isRtl } from './scripts.js';
import { DEFAULT_REGION_OPTIONS, figureBoxes, mostlyInside, tableBoxes, type RegionOptions } from './regions.js';
import { tableText } from './table-text.js';

export interface LayoutOptions {
  /** Effective feature switches (control flag AND request). */
  features: Record<FeatureName, boolean>;
  regions?: RegionOptions;
}

/** A crop the handler cuts from the page raster and stores under `object`. */
export interface CropRequest {
  blockId: string;
  object: string;
  bbox: BBox;
}

/** A region routed to a feature stage. */
export interface RegionDraft {
  regionId: string;
  stage: 'ocr';
  type: Block['type'];
  bbox: BBox;
  order: number;
  mode: 'page' | 'region';
}

export interface PageLayoutResult {
  blocks: Block[];
  regions: RegionDraft[];
  crops: CropRequest[];
}

/** The object a block's crop is stored under in `pl-pages`. */
export function cropObjectName(docId: string, page: number, blockId: string): string {
  return `${ObjectNames.pageRaster(docId, page).replace(/\.png$/, '')}.${blockId}.png`;
}

interface Draft {
  type: Block['type'];
  bbox: BBox;
  text: string;
  level?: number;
  lines: TextLayerLine[];
  html?: string;
  crop?: boolean;
}

const MIN_TABLE_ROWS = 3;
/** The narrowest column gap, in line heights (a 6 pt gutter beside 10 pt text is about 0.45). */
const MIN_COLUMN_GAP_LINES = 0.3;

const toTextLine = (line: TextLayerLine): TextLine => ({ text: line.text, bbox: line.bbox, confidence: 1 });

export function layoutPage(task: PageTask, layer: PageTextLayer | null, options: LayoutOptions): PageLayoutResult {
  if (!layer) {
    return {
      blocks: [],
      regions: [{ regionId: 'page', stage: 'ocr', type: 'text', bbox: [0, 0, task.width, task.height], order: 0, mode: 'page' }],
      crops: [],
    };
  }
  const regionOptions = options.regions ?? DEFAULT_REGION_OPTIONS;
  const page = { width: task.width, height: task.height };
  let lines = buildLines(layer.runs);
  const drafts: Draft[] = [];

  // figures need pixels for their crop (a page raster or the image layer): without, their text is kept as text
  if (task.raster) {
    for (const box of figureBoxes(layer.images, page, regionOptions)) {
      const inside = lines.filter((l) => mostlyInside(l.bbox, box));
      lines = lines.filter((l) => !inside.includes(l));
      drafts.push({ type: 'figure', bbox: box, text: '', lines: inside, crop: true });
    }
  }
  if (options.features.table) {
    for (const box of tableBoxes(layer.rulings, regionOptions)) {
      const inside = lines.filter((l) => mostlyInside(l.bbox, box));
      const table = tableText(inside);
      if (!looksTabular(table.rows)) continue;
      lines = lines.filter((l) => !inside.includes(l));
      drafts.push({ type: 'table', bbox: unionBoxes([box, ...inside.map((l) => l.bbox)]), text: table.text, html: table.html, lines: inside });
    }
  }

  const groups = groupBlocks(lines);
  const style = pageStyle(groups, task.page, task.width, task.height);
  for (const group of groups) {
    const { type, level } = classify(group, style);
    drafts.push({ type, bbox: group.bbox, text: joinLines(group.lines), ...(level ? { level } : {}), lines: group.lines });
  }

  if (task.page === 1) demoteFrontMatter(drafts);
  const withFormulas = mergeDisplayFormulas(drafts, task.width / 2, (parts, bbox) => ({
    type: 'formula',
    bbox,
    text: parts.map((p) => p.text).join(' '),
    lines: parts.flatMap((p) => p.lines),
    // the formula fallback is text plus image: the image needs a raster of the whole page
    crop: task.raster !== null && task.rasterContent !== 'images',
  }));
  const lineHeight = median(groups.flatMap((g) => g.lines.map((l) => boxHeight(l.bbox))));
  // lines were split at gutters already: a column gap as narrow as 6 pt is a real one
  const columnGap = lineHeight > 0 ? { lineHeight, minColumnGap: MIN_COLUMN_GAP_LINES * lineHeight } : {};
  const ordered = readingOrder(withFormulas, { pageWidth: task.width, pageHeight: task.height, ...columnGap, rtl: isRtl(lines.map((l) => l.text).join(' ')) });
  const crops: CropRequest[] = [];
  const blocks = ordered.map((draft, order): Block => {
    const id = `b${order}`;
    const block: Block = {
      id,
      type: draft.type,
      bbox: roundBox(draft.bbox),
      text: draft.type === 'figure' ? draft.lines.map((l) => l.text).join(' ') : draft.text,
      confidence: 1,
      source: 'text-layer',
      order,
      lines: draft.lines.map(toTextLine),
      ...(draft.level ? { level: draft.level } : {}),
      ...(draft.html ? { html: draft.html } : {}),
    };
    if (draft.crop) {
      const object = cropObjectName(task.docId, task.page, id);
      crops.push({ blockId: id, object, bbox: block.bbox });
      block.image = object;
    }
    return block;
  });
  return { blocks, regions: [], crops };
}

/** Rulings frame figures and boxed notes too: a table has rows, most of them with several cells. */
function looksTabular(rows: string[][]): boolean {
  return rows.length >= MIN_TABLE_ROWS && rows.filter((r) => r.length >= 2).length * 2 >= rows.length;
}

/** Lines to running text: a word hyphenated across a line break is joined again. */
function joinLines(lines: readonly TextLayerLine[]): string {
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
