// Glyph runs to text lines: runs on the same baseline band, close enough along it, are one line.
// Superscripts and subscripts (smaller, raised or lowered) join the line they overlap.
import type { BBox, GlyphRun } from '@paperline/contracts';
import { boxHeight, overlap1d, unionBoxes } from '@paperline/vision';

export interface TextLayerLine {
  text: string;
  bbox: BBox;
  /** The largest font size (px) carrying a fair share of the line's characters (sub/superscripts do not). */
  size: number;
  /** Most of the line's characters are bold / italic. */
  bold: boolean;
  italic: boolean;
  font: string;
  runs: GlyphRun[];
}

export interface LineOptions {
  /** Largest gap between two runs of one line, in font sizes: column gutters are wider. @default 1.0 */
  maxRunGap: number;
  /** Least vertical overlap with the line, as a share of the smaller height. @default 0.5 */
  minOverlap: number;
}

export const DEFAULT_LINE_OPTIONS: Readonly<LineOptions> = Object.freeze({ maxRunGap: 1.0, minOverlap: 0.5 });

/** A gap wider than this share of the font size is a space between words. */
const SPACE_GAP = 0.1;
/** A size carried by at least this share of a line's characters counts for the line's size. */
const SIZE_SHARE = 0.25;

interface OpenLine {
  runs: GlyphRun[];
  box: BBox;
  size: number;
}

export function buildLines(runs: readonly GlyphRun[], options: LineOptions = DEFAULT_LINE_OPTIONS): TextLayerLine[] {
  const sorted = [...runs].filter((r) => r.text.trim() !== '').sort((a, b) => a.bbox[0] - b.bbox[0]);
  const open: OpenLine[] = [];
  for (const run of sorted) {
    const h = Math.max(1, boxHeight(run.bbox));
    let best: OpenLine | undefined;
    let bestGap = Infinity;
    for (const line of open) {
      const overlap = overlap1d(run.bbox[1], run.bbox[3], line.box[1], line.box[3]);
      if (overlap < options.minOverlap * Math.min(h, Math.max(1, boxHeight(line.box)))) continue;
      const gap = run.bbox[0] - line.box[2];
      const size = Math.max(run.size, line.size);
      if (gap > options.maxRunGap * size || gap < -0.5 * size) continue;
      if (Math.abs(gap) < bestGap) {
        best = line;
        bestGap = Math.abs(gap);
      }
    }
    if (best) {
      best.runs.push(run);
      best.box = unionBoxes([best.box, run.bbox]);
      best.size = Math.max(best.size, run.size);
    } else {
      open.push({ runs: [run], box: run.bbox, size: run.size });
    }
  }
  return open.map(finishLine).sort((a, b) => a.bbox[1] - b.bbox[1] || a.bbox[0] - b.bbox[0]);
}

function finishLine(line: OpenLine): TextLayerLine {
  let text = '';
  let previous: GlyphRun | undefined;
  const fonts = new Map<string, number>();
  const sizes = new Map<number, number>();
  let chars = 0;
  let boldChars = 0;
  let italicChars = 0;
  for (const run of line.runs) {
    if (previous) {
      const gap = run.bbox[0] - previous.bbox[2];
      const spaced = /\s$/.test(previous.text) || /^\s/.test(run.text);
      if (!spaced && gap > SPACE_GAP * Math.min(run.size, previous.size)) text += ' ';
    }
    text += run.text;
    const n = run.text.replace(/\s/g, '').length;
    chars += n;
    if (run.bold) boldChars += n;
    if (run.italic) italicChars += n;
    const size = Math.round(run.size * 2) / 2;
    sizes.set(size, (sizes.get(size) ?? 0) + n);
    fonts.set(run.font, (fonts.get(run.font) ?? 0) + n);
    previous = run;
  }
  const [font] = [...fonts.entries()].sort((a, b) => b[1] - a[1]);
  const size = Math.max(0, ...[...sizes.entries()].filter(([, n]) => n >= SIZE_SHARE * chars).map(([s]) => s));
  return {
    text: text.replace(/\s+/g, ' ').trim(),
    bbox: line.box,
    size,
    bold: boldChars * 2 > chars,
    italic: italicChars * 2 > chars,
    font: font?.[0] ?? '',
    runs: line.runs,
  };
}
