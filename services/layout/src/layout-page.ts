// One page's layout from its text layer, without a learned model: figures from image rectangles,
// tables from rulings, paragraphs from lines, each classified, display formulas routed to the
// formula stage, all in reading order. Tables go to the table stage (with their words and
// rulings) and figures to the chart stage (with the labels around them and their caption) while
// those features are on; off, a table's lines stay text and a figure is an image with its labels.
// A page without a text layer becomes one page-mode OCR region, which may route its own tables on.
import type { FeatureName, GlyphRun, PageTask, PageTextLayer } from '@paperline/contracts';
import { boxHeight, overlap1d, rulingTableBoxes, unionBoxes } from '@paperline/vision';
import { groupBlocks } from './blocks.js';
import { classify, demoteFrontMatter, pageStyle } from './classify.js';
import { blockText, finishPage, type Draft, type PageLayoutResult } from './drafts.js';
import { mathShare, mergeDisplayFormulas, rulingsInside } from './formulas.js';
import { buildLines } from './lines.js';
import { chartLabels, DEFAULT_REGION_OPTIONS, figureBoxes, looksTabular, mostlyInside, nearestCaption, rulingsNear, wordsOf, type RegionOptions } from './regions.js';

export { cropObjectName, type CropRequest, type PageLayoutResult, type RegionDraft } from './drafts.js';

export interface LayoutOptions {
  /** Effective feature switches (control flag AND request). */
  features: Record<FeatureName, boolean>;
  regions?: RegionOptions;
}

/** A block of at most this many lines set mostly in math fonts is a display formula. */
const MAX_FORMULA_LINES = 3;
const MIN_MATH_SHARE = 0.6;

export function layoutPage(task: PageTask, layer: PageTextLayer | null, options: LayoutOptions): PageLayoutResult {
  // render found nothing painted on it: nothing to read, no OCR
  if (task.blank) return { blocks: [], regions: [], crops: [], backend: 'blank' };
  if (!layer) {
    // the table candidates of a scan come from its OCR lines: the ocr stage routes them on
    const routes: FeatureName[] = options.features.table ? ['table'] : [];
    return finishPage(task, [{ type: 'text', bbox: [0, 0, task.width, task.height], text: '', lines: [], source: 'ocr', confidence: 1, route: { stage: 'ocr', mode: 'page', routes } }], 'ocr-page');
  }
  const regionOptions = options.regions ?? DEFAULT_REGION_OPTIONS;
  const page = { width: task.width, height: task.height };
  let lines = buildLines(layer.runs);
  const drafts: Draft[] = [];
  const base = { source: 'text-layer' as const, confidence: 1 };

  // figures need pixels for their crop (a page raster or the image layer): without, their text is kept as text
  if (task.raster) {
    for (const box of figureBoxes(layer.images, page, regionOptions)) {
      // a chart's axis, tick and legend labels sit around its plot: they go with it to the chart stage
      const inside = options.features.chart ? chartLabels(box, lines, regionOptions) : lines.filter((l) => mostlyInside(l.bbox, box));
      lines = lines.filter((l) => !inside.includes(l));
      const figure: Draft = { ...base, type: 'figure', bbox: box, text: inside.map((l) => l.text).join(' '), lines: inside, crop: true };
      if (options.features.chart) {
        figure.type = 'chart';
        figure.route = { stage: 'chart', mode: 'region', words: inside.flatMap(wordsOf), rulings: rulingsNear(layer.rulings, unionBoxes([box, ...inside.map((l) => l.bbox)])) };
      }
      drafts.push(figure);
    }
  }
  if (options.features.table) {
    for (const box of rulingTableBoxes(layer.rulings, regionOptions)) {
      const inside = lines.filter((l) => mostlyInside(l.bbox, box));
      if (!looksTabular(inside)) continue;
      lines = lines.filter((l) => !inside.includes(l));
      const bbox = unionBoxes([box, ...inside.map((l) => l.bbox)]);
      drafts.push({ ...base, type: 'table', bbox, text: inside.map((l) => l.text).join('\n'), lines: inside, route: { stage: 'table', mode: 'region', words: inside.flatMap(wordsOf), rulings: rulingsNear(layer.rulings, bbox) } });
    }
  }

  const groups = groupBlocks(lines);
  const style = pageStyle(groups, task.page, task.width, task.height);
  for (const group of groups) {
    const { type, level } = classify(group, style);
    const math = group.lines.length <= MAX_FORMULA_LINES && mathShare(group.lines.flatMap((l) => l.runs)) >= MIN_MATH_SHARE;
    const blockType = math ? 'formula' : type;
    drafts.push({ ...base, type: blockType, bbox: group.bbox, text: blockText(blockType, group.lines, group.bbox), ...(level && !math ? { level } : {}), lines: group.lines });
  }

  if (task.page === 1) demoteFrontMatter(drafts);
  const withFormulas = mergeDisplayFormulas(joinPreformatted(drafts), task.width / 2, (parts, bbox): Draft => ({
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
  for (const draft of withFormulas) {
    if (draft.route?.stage === 'chart') {
      const caption = nearestCaption(draft.bbox, withFormulas);
      if (caption) draft.route.caption = caption;
    }
  }
  return finishPage(task, withFormulas, 'text-layer');
}

/** Code blocks at most this many empty lines apart are one listing. */
const MAX_LISTING_GAP_LINES = 2;

/**
 * Consecutive code blocks a line or two apart are one listing, its empty lines kept: block
 * grouping cuts a plain-text table's header from its rule and rows (their indents differ), and a
 * listing at its empty lines, which would fence each part apart.
 */
function joinPreformatted(drafts: Draft[]): Draft[] {
  const out: Draft[] = [];
  for (const draft of drafts) {
    const previous = out.at(-1);
    const lineHeight = Math.max(1, ...draft.lines.map((l) => boxHeight(l.bbox)));
    const adjacent =
      previous?.type === 'code' &&
      draft.type === 'code' &&
      draft.bbox[1] - previous.bbox[3] <= (MAX_LISTING_GAP_LINES + 1) * lineHeight &&
      draft.bbox[1] >= previous.bbox[1] &&
      overlap1d(previous.bbox[0], previous.bbox[2], draft.bbox[0], draft.bbox[2]) > 0;
    if (!adjacent) {
      out.push(draft);
      continue;
    }
    const lines = [...previous.lines, ...draft.lines];
    const bbox = unionBoxes([previous.bbox, draft.bbox]);
    out[out.length - 1] = { ...previous, bbox, lines, text: blockText('code', lines, bbox) };
  }
  return out;
}
