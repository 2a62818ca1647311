// One page's layout from its text layer, without a learned model: figures from image rectangles,
// tables from rulings, paragraphs from lines, each classified, display formulas routed to the
// formula stage, all in reading order. A page without a text layer becomes one page-mode OCR region.
import type { FeatureName, GlyphRun, PageTask, PageTextLayer } from '@paperline/contracts';
import { unionBoxes } from '@paperline/vision';
import { groupBlocks } from './blocks.js';
import { classify, demoteFrontMatter, pageStyle } from './classify.js';
import { finishPage, joinLines, type Draft, type PageLayoutResult } from './drafts.js';
import { mathShare, mergeDisplayFormulas, rulingsInside } from './formulas.js';
import { buildLines } from './lines.js';
import { DEFAULT_REGION_OPTIONS, figureBoxes, mostlyInside, tableBoxes, type RegionOptions } from './regions.js';
import { tableText } from './table-text.js';

export { cropObjectName, type CropRequest, type PageLayoutResult, type RegionDraft } from './drafts.js';

export interface LayoutOptions {
  /** Effective feature switches (control flag AND request). */
  features: Record<FeatureName, boolean>;
  regions?: RegionOptions;
}

const MIN_TABLE_ROWS = 3;
/** A block of at most this many lines set mostly in math fonts is a display formula. */
const MAX_FORMULA_LINES = 3;
const MIN_MATH_SHARE = 0.6;

export function layoutPage(task: PageTask, layer: PageTextLayer | null, options: LayoutOptions): PageLayoutResult {
  // render found nothing painted on it: nothing to read, no OCR
  if (task.blank) return { blocks: [], regions: [], crops: [], backend: 'blank' };
  if (!layer) {
    return finishPage(task, [{ type: 'text', bbox: [0, 0, task.width, task.height], text: '', lines: [], source: 'ocr', confidence: 1, route: { stage: 'ocr', mode: 'page' } }], 'ocr-page');
  }
  const regionOptions = options.regions ?? DEFAULT_REGION_OPTIONS;
  const page = { width: task.width, height: task.height };
  let lines = buildLines(layer.runs);
  const drafts: Draft[] = [];
  const base = { source: 'text-layer' as const, confidence: 1 };

  // figures need pixels for their crop (a page raster or the image layer): without, their text is kept as text
  if (task.raster) {
    for (const box of figureBoxes(layer.images, page, regionOptions)) {
      const inside = lines.filter((l) => mostlyInside(l.bbox, box));
      lines = lines.filter((l) => !inside.includes(l));
      drafts.push({ ...base, type: 'figure', bbox: box, text: inside.map((l) => l.text).join(' '), lines: inside, crop: true });
    }
  }
  if (options.features.table) {
    for (const box of tableBoxes(layer.rulings, regionOptions)) {
      const inside = lines.filter((l) => mostlyInside(l.bbox, box));
      const table = tableText(inside);
      if (!looksTabular(table.rows)) continue;
      lines = lines.filter((l) => !inside.includes(l));
      drafts.push({ ...base, type: 'table', bbox: unionBoxes([box, ...inside.map((l) => l.bbox)]), text: table.text, html: table.html, lines: inside });
    }
  }

  const groups = groupBlocks(lines);
  const style = pageStyle(groups, task.page, task.height);
  for (const group of groups) {
    const { type, level } = classify(group, style);
    const math = group.lines.length <= MAX_FORMULA_LINES && mathShare(group.lines.flatMap((l) => l.runs)) >= MIN_MATH_SHARE;
    drafts.push({ ...base, type: math ? 'formula' : type, bbox: group.bbox, text: joinLines(group.lines), ...(level && !math ? { level } : {}), lines: group.lines });
  }

  if (task.page === 1) demoteFrontMatter(drafts);
  const withFormulas = mergeDisplayFormulas(drafts, task.width / 2, (parts, bbox): Draft => ({
    ...base,
    type: 'formula',
    bbox,
    text: parts.map((p) => p.text).join(' '),
    lines: parts.flatMap((p) => p.lines),
  }));
  for (const draft of withFormulas) {
    if (draft.type !== 'formula') continue;
    const runs: GlyphRun[] = draft.lines.flatMap((l) => l.runs);
    if (options.features.formula) {
      // the formula stage turns the glyph runs (and a fraction's rulings) into LaTeX
      draft.route = { stage: 'formula', mode: 'region', runs, rulings: rulingsInside(layer.rulings, draft.bbox) };
    } else {
      // the fallback is text plus image: the image needs a raster of the whole page
      draft.crop = task.raster !== null && task.rasterContent !== 'images';
    }
  }
  return finishPage(task, withFormulas, 'text-layer');
}

/** Rulings frame figures and boxed notes too: a table has rows, most of them with several cells. */
function looksTabular(rows: string[][]): boolean {
  return rows.length >= MIN_TABLE_ROWS && rows.filter((r) => r.length >= 2).length * 2 >= rows.length;
}

