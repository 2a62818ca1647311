// One page's layout from its text layer, without a learned model: figures from image rectangles,
// tables from rulings, paragraphs from lines, each classified, all in reading order. Table regions
// go to the table stage (with their words and rulings) and figure regions to the chart stage
// (with the labels around them and their caption) when those features are on; off, a table's
// lines stay text and a figure is an image with its labels. A page without a text layer becomes
// one page-mode OCR region, which may route its own tables on.
import {
  FEATURES,
  ObjectNames,
  type BBox,
  type Block,
  type FeatureName,
  type GlyphRun,
  type PageTask,
  type PageTextLayer,
  type Ruling,
  type TextLine,
} from '@paperline/contracts';
import { overlap1d, readingOrder, rulingTableBoxes, unionBoxes } from '@paperline/vision';
import { groupBlocks } from './blocks.js';
import { classify, demoteFrontMatter, pageStyle } from './classify.js';
import { mergeDisplayFormulas } from './formulas.js';
import { buildLines, type TextLayerLine } from './lines.js';
import { chartLabels, DEFAULT_REGION_OPTIONS, figureBoxes, looksTabular, mostlyInside, nearestCaption, type RegionOptions } from './regions.js';

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
  stage: 'ocr' | 'table' | 'chart';
  type: Block['type'];
  bbox: BBox;
  order: number;
  mode: 'page' | 'region';
  /** Text-layer words of a table or chart region. */
  words?: TextLine[];
  /** Vector rulings inside a table region. */
  rulings?: Ruling[];
  caption?: string;
  /** The crop of a chart region (cut by the handler like a figure's). */
  crop?: string;
  /** Feature stages a page-mode OCR region may route its own regions to. */
  routes?: FeatureName[];
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
  crop?: boolean;
  /** Routed to a feature stage instead of resolved here. */
  stage?: 'table' | 'chart';
  words?: TextLine[];
  rulings?: Ruling[];
}

const toTextLine = (line: TextLayerLine): TextLine => ({ text: line.text, bbox: line.bbox, confidence: 1 });

export function layoutPage(task: PageTask, layer: PageTextLayer | null, options: LayoutOptions): PageLayoutResult {
  if (!layer) {
    // the table candidates of a scan come from its OCR lines: the ocr stage routes them on
    const routes = FEATURES.filter((f) => f === 'table' && options.features[f]);
    return {
      blocks: [],
      regions: [{ regionId: 'page', stage: 'ocr', type: 'text', bbox: [0, 0, task.width, task.height], order: 0, mode: 'page', routes }],
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
      // a chart's axis, tick and legend labels sit around its plot: they go with it to the chart stage
      const labels = options.features.chart ? chartLabels(box, lines, regionOptions) : inside;
      lines = lines.filter((l) => !labels.includes(l));
      const figure: Draft = { type: 'figure', bbox: box, text: '', lines: labels, crop: true };
      if (options.features.chart) Object.assign(figure, { stage: 'chart', words: labels.flatMap(wordsOf), rulings: rulingsNear(layer.rulings, unionBoxes([box, ...labels.map((l) => l.bbox)])) });
      drafts.push(figure);
    }
  }
  if (options.features.table) {
    for (const box of rulingTableBoxes(layer.rulings, regionOptions)) {
      const inside = lines.filter((l) => mostlyInside(l.bbox, box));
      if (!looksTabular(inside)) continue;
      lines = lines.filter((l) => !inside.includes(l));
      const bbox = unionBoxes([box, ...inside.map((l) => l.bbox)]);
      drafts.push({ type: 'table', bbox, text: inside.map((l) => l.text).join('\n'), lines: inside, stage: 'table', words: inside.flatMap(wordsOf), rulings: rulingsNear(layer.rulings, bbox) });
    }
  }

  const groups = groupBlocks(lines);
  const style = pageStyle(groups, task.page, task.height);
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
  const ordered = readingOrder(withFormulas, { pageWidth: task.width, pageHeight: task.height });
  const crops: CropRequest[] = [];
  const regions: RegionDraft[] = [];
  const blocks = ordered.flatMap((draft, order): Block[] => {
    const id = `b${order}`;
    if (draft.stage) {
      const region: RegionDraft = { regionId: id, stage: draft.stage, type: draft.type === 'figure' ? 'chart' : draft.type, bbox: roundBox(draft.bbox), order, mode: 'region', words: draft.words ?? [] };
      if (draft.rulings) region.rulings = draft.rulings;
      if (draft.stage === 'chart') {
        const caption = nearestCaption(draft.bbox, ordered);
        if (caption) region.caption = caption;
        region.crop = cropObjectName(task.docId, task.page, id);
        crops.push({ blockId: id, object: region.crop, bbox: region.bbox });
      }
      regions.push(region);
      return [];
    }
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
    };
    if (draft.crop) {
      const object = cropObjectName(task.docId, task.page, id);
      crops.push({ blockId: id, object, bbox: block.bbox });
      block.image = object;
    }
    return [block];
  });
  return { blocks, regions, crops };
}

/** The rulings touching `box` (a table's grid, a chart's axes). */
function rulingsNear(rulings: readonly Ruling[], box: BBox): Ruling[] {
  return rulings.filter((r) => overlap1d(r.x0, r.x1 + 1, box[0] - 2, box[2] + 2) > 0 && overlap1d(r.y0, r.y1 + 1, box[1] - 2, box[3] + 2) > 0);
}

/** A line's glyph runs as the words a table or chart stage fills its cells with. */
function wordsOf(line: TextLayerLine): TextLine[] {
  return line.runs.filter((r: GlyphRun) => r.text.trim() !== '').map((r) => ({ text: r.text.trim(), bbox: r.bbox, confidence: 1 }));
}

/** Lines to running text: a word hyphenated across a line break is joined again. */
function joinLines(lines: readonly TextLayerLine[]): string {
  let text = '';
  for (const line of lines) {
    if (!text) text = line.text;
    else if (/\p{Ll}-$/u.test(text) && /^\p{Ll}/u.test(line.text)) text = text.slice(0, -1) + line.text;
    else text += ` ${line.text}`;
  }
  return text;
}

function roundBox(b: BBox): BBox {
  return [Math.floor(b[0]), Math.floor(b[1]), Math.ceil(b[2]), Math.ceil(b[3])];
}
