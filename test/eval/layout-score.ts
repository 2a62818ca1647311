// Scores a run's pages against OmniDocBench's truth: per-class precision and recall at IoU 0.5
// (one-to-one, greedy by IoU), table TEDS (structure only, and with content) of the best-overlapping
// predicted table, and the normalised edit distance of the best-overlapping formula's LaTeX.
import type { BBox, Block } from '@paperline/contracts';
import { distance as levenshtein } from 'fastest-levenshtein';
import { BLOCK_CLASS, EVAL_CLASSES, normaliseLatex, type EvalClass, type TruthPage } from './omnidocbench.js';
import { teds } from './teds.js';

export interface PredictedPage {
  image: string;
  width: number;
  height: number;
  blocks: Block[];
}

export interface LayoutFigures {
  pages: number;
  classes: Record<EvalClass, { truth: number; predicted: number; matched: number }>;
  tables: { count: number; tedsStructure: number; tedsContent: number };
  formulas: { count: number; ned: number };
}

export const IOU_THRESHOLD = 0.5;

const area = (b: BBox) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
function intersection(a: BBox, b: BBox): number {
  return Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
}
export function iou(a: BBox, b: BBox): number {
  const common = intersection(a, b);
  return common === 0 ? 0 : common / (area(a) + area(b) - common);
}

const mean = (values: number[]) => (values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0);

export function scoreLayout(truth: readonly TruthPage[], predicted: readonly PredictedPage[]): LayoutFigures {
  const classes = Object.fromEntries(EVAL_CLASSES.map((c) => [c, { truth: 0, predicted: 0, matched: 0 }])) as LayoutFigures['classes'];
  const tedsStructure: number[] = [];
  const tedsContent: number[] = [];
  const neds: number[] = [];
  for (const page of truth) {
    const run = predicted.find((p) => p.image === page.image);
    // blocks in the truth's pixels
    const sx = run ? page.width / run.width : 1;
    const sy = run ? page.height / run.height : 1;
    const blocks = (run?.blocks ?? []).map((b) => ({ block: b, cls: BLOCK_CLASS[b.type], bbox: [b.bbox[0] * sx, b.bbox[1] * sy, b.bbox[2] * sx, b.bbox[3] * sy] as BBox }));
    const unscored = page.regions.filter((r) => r.cls === undefined);
    for (const cls of EVAL_CLASSES) {
      const truths = page.regions.filter((r) => r.cls === cls);
      const preds = blocks.filter((b) => b.cls === cls);
      const pairs = truths.flatMap((t, ti) => preds.map((p, pi) => ({ ti, pi, iou: iou(t.bbox, p.bbox) }))).filter((x) => x.iou >= IOU_THRESHOLD);
      const usedT = new Set<number>();
      const usedP = new Set<number>();
      for (const pair of pairs.sort((a, b) => b.iou - a.iou)) {
        if (usedT.has(pair.ti) || usedP.has(pair.pi)) continue;
        usedT.add(pair.ti);
        usedP.add(pair.pi);
      }
      // an unmatched prediction lying mostly on an unscored region (a page's discarded furniture) is not counted
      const counted = preds.filter((p, pi) => usedP.has(pi) || !unscored.some((u) => intersection(u.bbox, p.bbox) >= 0.5 * area(p.bbox)));
      classes[cls].truth += truths.length;
      classes[cls].predicted += counted.length;
      classes[cls].matched += usedT.size;
    }
    const best = (bbox: BBox, cls: EvalClass) =>
      blocks
        .filter((b) => b.cls === cls)
        .map((b) => ({ b, overlap: iou(bbox, b.bbox) }))
        .filter((x) => x.overlap > 0)
        .sort((a, b) => b.overlap - a.overlap)[0]?.b.block;
    for (const table of page.regions.filter((r) => r.cls === 'table' && r.html)) {
      const match = best(table.bbox, 'table');
      tedsStructure.push(teds(match?.html, table.html!, { structureOnly: true }));
      tedsContent.push(teds(match?.html, table.html!));
    }
    for (const formula of page.regions.filter((r) => r.cls === 'formula' && r.latex)) {
      const match = best(formula.bbox, 'formula');
      const a = normaliseLatex(match?.latex ?? match?.text ?? '');
      const b = normaliseLatex(formula.latex!);
      neds.push(Math.max(a.length, b.length) === 0 ? 0 : levenshtein(a, b) / Math.max(a.length, b.length));
    }
  }
  return {
    pages: truth.length,
    classes,
    tables: { count: tedsStructure.length, tedsStructure: mean(tedsStructure), tedsContent: mean(tedsContent) },
    formulas: { count: neds.length, ned: mean(neds) },
  };
}

const pct = (n: number, d: number) => (d === 0 ? '   -  ' : `${((100 * n) / d).toFixed(1).padStart(5)}%`);

/** The figures as a text table, side by side with a baseline's when given. */
export function formatFigures(current: LayoutFigures, currentLabel: string, baseline?: { figures: LayoutFigures; label: string }): string {
  const lines: string[] = [];
  const head = (label: string) => `${label.slice(0, 22).padEnd(22)}`;
  lines.push(`${'class'.padEnd(9)} ${'truth'.padStart(5)}  ${head(currentLabel)}${baseline ? `  ${head(baseline.label)}` : ''}`);
  lines.push(`${''.padEnd(9)} ${''.padStart(5)}  ${'pred   P       R'.padEnd(22)}${baseline ? `  ${'pred   P       R'.padEnd(22)}` : ''}`);
  const cell = (c: LayoutFigures['classes'][EvalClass]) => `${String(c.predicted).padStart(4)} ${pct(c.matched, c.predicted)} ${pct(c.matched, c.truth)}`.padEnd(22);
  for (const cls of EVAL_CLASSES) {
    const c = current.classes[cls];
    lines.push(`${cls.padEnd(9)} ${String(c.truth).padStart(5)}  ${cell(c)}${baseline ? `  ${cell(baseline.figures.classes[cls])}` : ''}`);
  }
  const row = (label: string, f: (x: LayoutFigures) => string) => `${label.padEnd(16)}${f(current).padEnd(22)}${baseline ? `  ${f(baseline.figures)}` : ''}`;
  lines.push('');
  lines.push(row(`TEDS structure`, (x) => `${x.tables.tedsStructure.toFixed(3)} (${x.tables.count} tables)`));
  lines.push(row(`TEDS content`, (x) => `${x.tables.tedsContent.toFixed(3)}`));
  lines.push(row(`formula NED`, (x) => `${x.formulas.ned.toFixed(3)} (${x.formulas.count} formulas)`));
  return lines.join('\n');
}
