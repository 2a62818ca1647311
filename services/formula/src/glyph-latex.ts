// The model-free formula backend for born-digital pages: a formula region's glyph runs (and the
// rulings drawn in it) to LaTeX. A ruling with runs above and below it is a fraction; a big
// operator with runs above and below it takes them as limits; a smaller run raised above or
// lowered below its row's baseline is a superscript or a subscript; runs that do not share a
// band are rows of an array. An equation number at the right ("(3)") is not part of the LaTeX.
import type { BBox, GlyphRun, Ruling } from '@paperline/contracts';
import { median, overlap1d, unionBoxes } from '@paperline/vision';
import { BIG_OPERATORS, toLatex } from './unicode-latex.js';

interface Item {
  latex: string;
  bbox: BBox;
  size: number;
  /** y of the baseline (px, down). */
  baseline: number;
}

/** Render's run boxes span ascent (0.8 em) to descent (0.2 em) around the baseline. */
const DESCENT = 0.2;
/** A script is at most this size of its base. */
const SCRIPT_RATIO = 0.9;
/** Raised by more than this share of the base size: a superscript; lowered by more: a subscript. */
const SUPERSCRIPT_RISE = 0.2;
const SUBSCRIPT_DROP = 0.1;
const EQUATION_NUMBER = /^\(\s*\d{1,3}(?:\.\d{1,3})?[a-z]?\s*\)$/;

export function glyphsToLatex(runs: readonly GlyphRun[], rulings: readonly Ruling[] = []): string {
  let items: Item[] = runs
    .filter((r) => r.text.trim() !== '')
    .map((r) => ({ latex: toLatex(r.text), bbox: r.bbox, size: r.size, baseline: r.bbox[3] - DESCENT * (r.bbox[3] - r.bbox[1]) }));
  if (items.length === 0) return '';
  items = dropEquationNumber(items);
  const size = median(items.map((i) => i.size));
  // inner fractions first: a narrower bar is nested inside a wider one
  for (const bar of [...rulings].filter((r) => r.y0 === r.y1 && r.x1 > r.x0).sort((a, b) => a.x1 - a.x0 - (b.x1 - b.x0))) {
    items = fraction(items, bar, size);
  }
  items = limits(items);
  return bands(items)
    .map((band) => row(band))
    .join(' \\\\ ');
}

function dropEquationNumber(items: Item[]): Item[] {
  const last = [...items].sort((a, b) => b.bbox[2] - a.bbox[2])[0]!;
  return items.length > 1 && EQUATION_NUMBER.test(last.latex) ? items.filter((i) => i !== last) : items;
}

function fraction(items: Item[], bar: Ruling, size: number): Item[] {
  const over = (i: Item) => {
    const centre = (i.bbox[0] + i.bbox[2]) / 2;
    return centre >= bar.x0 && centre <= bar.x1;
  };
  const numerator = items.filter((i) => over(i) && i.bbox[3] <= bar.y0 + 0.35 * i.size && i.bbox[3] >= bar.y0 - 2.5 * size);
  const denominator = items.filter((i) => over(i) && i.bbox[1] >= bar.y0 - 0.35 * i.size && i.bbox[1] <= bar.y0 + 2.5 * size && !numerator.includes(i));
  if (numerator.length === 0 || denominator.length === 0) return items;
  const used = new Set([...numerator, ...denominator]);
  const parts = [...used];
  const merged: Item = {
    latex: `\\frac{${row(numerator)}}{${row(denominator)}}`,
    bbox: unionBoxes([...parts.map((p) => p.bbox), [bar.x0, bar.y0, bar.x1, bar.y1]]),
    size: Math.max(...parts.map((p) => p.size)),
    // the bar sits on the math axis, about a quarter em above the baseline
    baseline: bar.y0 + 0.25 * size,
  };
  return [...items.filter((i) => !used.has(i)), merged];
}

function limits(items: Item[]): Item[] {
  let out = items;
  for (const op of items.filter((i) => BIG_OPERATORS.has(i.latex))) {
    if (!out.includes(op)) continue;
    const h = op.bbox[3] - op.bbox[1];
    const under = (i: Item) => i !== op && overlap1d(i.bbox[0], i.bbox[2], op.bbox[0], op.bbox[2]) >= 0.5 * (i.bbox[2] - i.bbox[0]);
    const above = out.filter((i) => under(i) && i.bbox[3] <= op.bbox[1] + 0.25 * h);
    const below = out.filter((i) => under(i) && i.bbox[1] >= op.bbox[3] - 0.25 * h);
    if (above.length === 0 && below.length === 0) continue;
    const used = new Set([...above, ...below]);
    const latex = `${op.latex}${below.length ? `_{${row(below)}}` : ''}${above.length ? `^{${row(above)}}` : ''}`;
    out = [...out.filter((i) => i !== op && !used.has(i)), { ...op, latex, bbox: unionBoxes([op.bbox, ...[...used].map((u) => u.bbox)]) }];
  }
  return out;
}

/** Items grouped into horizontal bands that do not overlap vertically (top to bottom). */
function bands(items: Item[]): Item[][] {
  const sorted = [...items].sort((a, b) => a.bbox[1] - b.bbox[1]);
  const out: Array<{ top: number; bottom: number; items: Item[] }> = [];
  for (const item of sorted) {
    const band = out.find((b) => overlap1d(item.bbox[1], item.bbox[3], b.top, b.bottom) > 0);
    if (band) {
      band.items.push(item);
      band.top = Math.min(band.top, item.bbox[1]);
      band.bottom = Math.max(band.bottom, item.bbox[3]);
    } else out.push({ top: item.bbox[1], bottom: item.bbox[3], items: [item] });
  }
  return out.map((b) => b.items);
}

/** One row, left to right: scripts attach to the item before them. */
function row(items: readonly Item[]): string {
  if (items.length === 0) return '';
  const sorted = [...items].sort((a, b) => a.bbox[0] - b.bbox[0]);
  const base = sorted.reduce((a, b) => (b.size > a.size ? b : a));
  let out = '';
  let i = 0;
  while (i < sorted.length) {
    const item = sorted[i]!;
    const kind = scriptKind(item, base);
    if (kind === 'base') {
      out = join(out, item.latex);
      i += 1;
      continue;
    }
    // a run of consecutive scripts of the same kind is one script
    const group: Item[] = [];
    while (i < sorted.length && scriptKind(sorted[i]!, base) === kind) group.push(sorted[i++]!);
    out += `${kind === 'sup' ? '^' : '_'}{${row(group)}}`;
  }
  return out;
}

function scriptKind(item: Item, base: Item): 'base' | 'sup' | 'sub' {
  if (item.size > SCRIPT_RATIO * base.size) return 'base';
  const rise = base.baseline - item.baseline;
  if (rise > SUPERSCRIPT_RISE * base.size) return 'sup';
  if (rise < -SUBSCRIPT_DROP * base.size) return 'sub';
  return 'base';
}

/** Concatenation that keeps a command apart from a following letter. */
function join(left: string, right: string): string {
  return /\\[A-Za-z]+$/.test(left) && /^[A-Za-z]/.test(right) ? `${left} ${right}` : left + right;
}
