// A page's layout from PP-DocLayout's detections. On a scan every text-like region goes to OCR
// in region mode (it keeps the detected type), formulas go to the formula stage, figures and
// charts are cropped. On a born-digital page each region takes the text-layer lines inside it,
// tables go to the table stage with those lines' words and their rulings, formulas travel with their glyph runs; lines outside
// every region are laid out by the text-layer heuristics, so no text is lost.
import type { BBox, FeatureName, PageTask, PageTextLayer } from '@paperline/contracts';
import { boxHeight, boxWidth, unionBoxes } from '@paperline/vision';
import { groupBlocks } from './blocks.js';
import { classify, pageStyle } from './classify.js';
import type { PageDetections } from './doclayout-detector.js';
import { blockText, finishPage, joinLines, type Draft, type PageLayoutResult } from './drafts.js';
import { rulingsInside } from './formulas.js';
import { buildLines, type TextLayerLine } from './lines.js';
import { mostlyInside, rulingsNear, wordsOf } from './regions.js';

const PICTURES = new Set(['figure', 'chart']);

export function modelLayout(task: PageTask, layer: PageTextLayer | null, found: PageDetections, features: Record<FeatureName, boolean>): PageLayoutResult {
  // detections are in raster pixels; blocks in the page's (the same at render's dpi, but not assumed)
  const sx = task.width / found.width;
  const sy = task.height / found.height;
  const regions = found.detections.map((d) => ({ ...d, bbox: [d.bbox[0] * sx, d.bbox[1] * sy, d.bbox[2] * sx, d.bbox[3] * sy] as BBox }));
  const base = { source: 'model' as const };
  const drafts: Draft[] = [];

  if (!layer) {
    for (const region of regions) {
      const draft: Draft = { ...base, type: region.type, bbox: region.bbox, text: '', lines: [], confidence: region.score, ...levelOf(region.type) };
      if (PICTURES.has(region.type)) draft.crop = true;
      else if (region.type === 'formula' && features.formula) draft.route = { stage: 'formula', mode: 'region' };
      else draft.route = { stage: 'ocr', mode: 'region' };
      drafts.push(draft);
    }
    return finishPage(task, drafts, 'model');
  }

  let lines = buildLines(layer.runs);
  // smaller regions first: a line inside a caption inside a figure belongs to the caption
  for (const region of [...regions].sort((a, b) => boxWidth(a.bbox) * boxHeight(a.bbox) - boxWidth(b.bbox) * boxHeight(b.bbox))) {
    const inside = lines.filter((l) => mostlyInside(l.bbox, region.bbox));
    if (inside.length === 0 && !PICTURES.has(region.type)) continue;
    lines = lines.filter((l) => !inside.includes(l));
    const bbox = unionBoxes([region.bbox, ...inside.map((l) => l.bbox)]);
    const draft: Draft = { ...base, type: region.type, bbox, text: joinLines(inside), lines: inside, confidence: region.score, ...levelOf(region.type) };
    if (PICTURES.has(region.type)) {
      draft.text = inside.map((l) => l.text).join(' ');
      draft.crop = task.rasterContent !== 'images';
    } else if (region.type === 'table' && features.table) {
      draft.route = { stage: 'table', mode: 'region', words: inside.flatMap(wordsOf), rulings: rulingsNear(layer.rulings, bbox) };
    } else if (region.type === 'formula') {
      if (features.formula) draft.route = { stage: 'formula', mode: 'region', runs: runsOf(inside), rulings: rulingsInside(layer.rulings, bbox) };
      else draft.crop = task.rasterContent !== 'images';
    }
    drafts.push(draft);
  }
  // what no region claimed is laid out as the model-free backend would
  const groups = groupBlocks(lines);
  const style = pageStyle(groups, task.page, task.width, task.height);
  for (const group of groups) {
    const { type, level } = classify(group, style);
    drafts.push({ source: 'text-layer', confidence: 1, type, bbox: group.bbox, text: blockText(type, group.lines, group.bbox), lines: group.lines, ...(level ? { level } : {}) });
  }
  return finishPage(task, drafts, 'model');
}

const runsOf = (lines: readonly TextLayerLine[]) => lines.flatMap((l) => l.runs);

/** The model tells a document title from a section title, not section depth: level 2 for every heading. */
function levelOf(type: Draft['type']): { level?: number } {
  return type === 'title' ? { level: 1 } : type === 'heading' ? { level: 2 } : {};
}
