// Glyph runs to text lines: runs on the same baseline band, close enough along it, are one line.
// Superscripts and subscripts (smaller, raised or lowered) join the line they overlap. A gap that
// is a column gutter never joins, however narrow: a gap is a gutter when a strip along it stays
// empty for several line heights while text lines up against it (the columns). Rotated runs
// (margin stamps, axis labels) make lines of their own, along their baseline.
import type { BBox, GlyphRun } from '@paperline/contracts';
import { boxHeight, median, overlap1d, unionBoxes } from '@paperline/vision';
import { isCjk, isRtl, isWhiteSpace, normaliseCompatibility, visibleLength, visualToLogical } from './scripts.js';

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
  /** The line's baseline is turned by a quarter turn or more (vertical margin text). */
  rotated: boolean;
}

export interface LineOptions {
  /** Largest gap between two runs of one line, in font sizes: justified text in narrow columns spaces words by up to 2 (gutters are found apart). @default 2.5 */
  maxRunGap: number;
  /** Least vertical overlap with the line, as a share of the smaller height. @default 0.5 */
  minOverlap: number;
  /** A gutter's empty strip reaches at least this many line heights above and below, in all. @default 3 */
  gutterLines: number;
}

export const DEFAULT_LINE_OPTIONS: Readonly<LineOptions> = Object.freeze({ maxRunGap: 2.5, minOverlap: 0.5, gutterLines: 3 });

/** A gap wider than this share of the font size is a space between words. */
const SPACE_GAP = 0.1;
/** Between CJK characters only a gap of this many font sizes is a space. */
const CJK_SPACE_GAP = 0.9;
/** Gaps narrower than this share of the font size are never gutters (letters of one word). */
const GUTTER_MIN_GAP = 0.2;
/** The strip tested for a gutter is at most this wide, in font sizes, against either side of the gap. */
const GUTTER_STRIP = 0.3;
/** A strip inside a gap (touching neither of the row's sides) needs this many times the empty height and witness rows. */
const INNER_EVIDENCE = 2;
/** Runs within this many line heights of a gap's row decide which strips of the gap are free. */
const NEIGHBOUR_ROWS = 1.5;
/** Rows starting (ending) within this many font sizes of a gap's side line up with it... */
const EDGE_TOLERANCE = 0.08;
/** ...and this many such rows make a column edge. */
const GUTTER_WITNESS_ROWS = 3;
/** Empty lines kept between two lines of a listing, at most. */
const MAX_BLANK_LINES = 2;
/** A listing's line step is at most this many font sizes. */
const MAX_LINE_STEP = 1.3;
/** A size carried by at least this share of a line's characters counts for the line's size. */
const SIZE_SHARE = 0.25;

interface OpenLine {
  runs: GlyphRun[];
  box: BBox;
  size: number;
  /** Every run is set in a monospaced font. */
  mono: boolean;
  /** Position among the page's lines in the order they were opened. */
  opened: number;
  /** The last LineRows query that found it. */
  foundBy: number;
}

/**
 * Monospaced faces (subset prefixes such as `ABCDEF+` aside). Preformatted text lines its columns
 * up with runs of spaces: there a wide gap on a baseline is alignment, not a gutter.
 */
const MONOSPACE = /mono|courier|consol|menlo|monaco|inconsolata|typewriter|fixedsys|(?:^|\+)(?:cmtt|lmtt|ectt|sfmt)/i;

/** Faces already tested: a page asks about the same few for each of its runs and lines. */
const monospaceFaces = new Map<string, boolean>();
/** Fonts remembered at most; a long-running stage meets new ones with every document. */
const MONOSPACE_FACES_KEPT = 4096;

export function isMonospace(font: string): boolean {
  let mono = monospaceFaces.get(font);
  if (mono === undefined) {
    if (monospaceFaces.size >= MONOSPACE_FACES_KEPT) monospaceFaces.clear();
    mono = MONOSPACE.test(font);
    monospaceFaces.set(font, mono);
  }
  return mono;
}

/** Rotations of a run's box into a frame where its baseline runs left to right, and back. */
const FRAMES: Record<number, { to: (b: BBox) => BBox; from: (b: BBox) => BBox }> = {
  // reading upwards: page up is the frame's right
  90: { to: (b) => [-b[3], b[0], -b[1], b[2]], from: (b) => [b[1], -b[2], b[3], -b[0]] },
  180: { to: (b) => [-b[2], -b[3], -b[0], -b[1]], from: (b) => [-b[2], -b[3], -b[0], -b[1]] },
  // reading downwards
  270: { to: (b) => [b[1], -b[2], b[3], -b[0]], from: (b) => [-b[3], b[0], -b[1], b[2]] },
};

function quarterTurn(angle: number | undefined): number {
  if (angle === undefined) return 0;
  return (((Math.round(angle / 90) * 90) % 360) + 360) % 360;
}

export function buildLines(runs: readonly GlyphRun[], options: LineOptions = DEFAULT_LINE_OPTIONS): TextLayerLine[] {
  const byTurn = new Map<number, GlyphRun[]>();
  for (const run of runs) {
    if (run.text.trim() === '') continue;
    const turn = quarterTurn(run.angle);
    const group = byTurn.get(turn);
    if (group) group.push(run);
    else byTurn.set(turn, [run]);
  }
  const lines: TextLayerLine[] = [];
  for (const [turn, group] of byTurn) {
    if (turn === 0) {
      for (const line of joinRuns(group, options)) lines.push({ ...line, rotated: false });
      continue;
    }
    const frame = FRAMES[turn]!;
    const original = new Map<GlyphRun, GlyphRun>();
    const turned = group.map((run) => {
      const copy = { ...run, bbox: frame.to(run.bbox) };
      original.set(copy, run);
      return copy;
    });
    for (const line of joinRuns(turned, options)) {
      lines.push({ ...line, bbox: frame.from(line.bbox), runs: line.runs.map((r) => original.get(r) ?? r), rotated: true });
    }
  }
  return attachListMarkers(lines).sort((a, b) => a.bbox[1] - b.bbox[1] || a.bbox[0] - b.bbox[0]);
}

/** "1.", "a)", "[12]", "•" alone on a line: a list marker, set apart from its item as a column of its own. */
const BARE_MARKER = /^(?:[.(]?\d{1,3}[.)]?|\[\d{1,3}\]|[.(]?[a-zA-Z][.)]|[•◦▪▫‣∙·●○■□➢►–—*-])$/;
/** A marker's item starts within this many font sizes of it. */
const MARKER_REACH = 3;

/**
 * Marker columns look like gutters (the items' text lines up beside them): each bare marker goes
 * back to the line beside it on its row, after it for left-to-right text, before it for right-to-left.
 */
function attachListMarkers(lines: TextLayerLine[]): TextLayerLine[] {
  const taken = new Set<TextLayerLine>();
  for (const marker of lines) {
    if (marker.rotated || !BARE_MARKER.test(marker.text)) continue;
    const h = Math.max(1, boxHeight(marker.bbox));
    const item = lines.find((l) => {
      if (l === marker || taken.has(l) || l.rotated || overlap1d(l.bbox[1], l.bbox[3], marker.bbox[1], marker.bbox[3]) < 0.5 * Math.min(h, boxHeight(l.bbox))) return false;
      const rtl = isRtl(l.text);
      const gap = rtl ? marker.bbox[0] - l.bbox[2] : l.bbox[0] - marker.bbox[2];
      return gap >= -0.5 && gap <= MARKER_REACH * marker.size;
    });
    if (!item) continue;
    taken.add(marker);
    const label = marker.text.replace(/^\.(\d+)$/, '$1.');
    item.text = `${label} ${item.text}`;
    item.runs = [...marker.runs, ...item.runs];
    item.bbox = unionBoxes([marker.bbox, item.bbox]);
  }
  return lines.filter((l) => !taken.has(l));
}

function joinRuns(runs: GlyphRun[], options: LineOptions): Array<Omit<TextLayerLine, 'rotated'>> {
  const sorted = [...runs].sort((a, b) => a.bbox[0] - b.bbox[0]);
  const rows = new RunRows(sorted);
  const open: OpenLine[] = [];
  const openRows = new LineRows();
  for (const run of sorted) {
    const h = Math.max(1, boxHeight(run.bbox));
    const mono = isMonospace(run.font);
    let best: OpenLine | undefined;
    let bestGap = Infinity;
    for (const line of openRows.crossing(run.bbox[1], run.bbox[3])) {
      const overlap = overlap1d(run.bbox[1], run.bbox[3], line.box[1], line.box[3]);
      if (overlap < options.minOverlap * Math.min(h, Math.max(1, boxHeight(line.box)))) continue;
      const gap = run.bbox[0] - line.box[2];
      const size = Math.max(run.size, line.size);
      if ((gap > options.maxRunGap * size && !(mono && line.mono)) || gap < -0.5 * size) continue;
      if (Math.abs(gap) < bestGap) {
        best = line;
        bestGap = Math.abs(gap);
      }
    }
    if (best && !(mono && best.mono) && bestGap >= GUTTER_MIN_GAP * best.size && isGutter(rows, best.box, run, options)) best = undefined;
    if (best) {
      best.runs.push(run);
      best.box = unionBoxes([best.box, run.bbox]);
      best.size = Math.max(best.size, run.size);
      best.mono &&= mono;
      openRows.add(best);
    } else {
      const line: OpenLine = { runs: [run], box: run.bbox, size: run.size, mono, opened: open.length, foundBy: 0 };
      open.push(line);
      openRows.add(line);
    }
  }
  return open.map(finishLine);
}

/** Height of a band of the open-line index: lines are found by the bands their boxes cross. */
const LINE_BAND = 8;

/**
 * The open lines by the horizontal bands their boxes cross, so that a run is compared with the
 * lines of its own rows, not with every line of the page. A line is listed again as its box grows;
 * a band may list it where it no longer reaches (callers test the overlap anyway).
 */
class LineRows {
  private readonly bands = new Map<number, OpenLine[]>();
  private queries = 0;

  add(line: OpenLine): void {
    for (let band = Math.floor(line.box[1] / LINE_BAND); band <= Math.floor(line.box[3] / LINE_BAND); band++) {
      const lines = this.bands.get(band);
      if (!lines) this.bands.set(band, [line]);
      else if (!lines.includes(line)) lines.push(line);
    }
  }

  /** The lines whose boxes may cross [y0, y1], in the order they were opened (the first of equal candidates wins). */
  crossing(y0: number, y1: number): OpenLine[] {
    const query = ++this.queries;
    const found: OpenLine[] = [];
    for (let band = Math.floor(y0 / LINE_BAND); band <= Math.floor(y1 / LINE_BAND); band++) {
      for (const line of this.bands.get(band) ?? []) {
        // a line listed in several bands is returned once
        if (line.foundBy === query) continue;
        line.foundBy = query;
        found.push(line);
      }
    }
    return found.length > 1 ? found.sort((a, b) => a.opened - b.opened) : found;
  }
}

/**
 * The runs of one baseline frame by the height of their centres, for the gutter tests: the rows
 * near a gap, and the nearest runs above and below it that cross a strip, are found by binary
 * search instead of by a pass over every run of the page for every gap.
 */
class RunRows {
  /** By centre. */
  private readonly runs: GlyphRun[];
  private readonly centres: Float64Array;
  /** Each run's position in the left-to-right order the runs came in. */
  readonly ranks: Int32Array;
  /** Half the tallest run's height: how far from its centre any run's box reaches. */
  private readonly reach: number;

  constructor(byX: readonly GlyphRun[]) {
    const centres = byX.map(centreOf);
    const order = byX.map((_, i) => i).sort((a, b) => centres[a]! - centres[b]! || a - b);
    this.runs = order.map((i) => byX[i]!);
    this.centres = Float64Array.from(order, (i) => centres[i]!);
    this.ranks = Int32Array.from(order);
    let reach = 0;
    for (const r of byX) reach = Math.max(reach, (r.bbox[3] - r.bbox[1]) / 2);
    this.reach = reach;
  }

  run(position: number): GlyphRun {
    return this.runs[position]!;
  }

  centre(position: number): number {
    return this.centres[position]!;
  }

  /** The first position whose centre is at least `y` (`strict`: more than `y`). */
  private firstFrom(y: number, strict: boolean): number {
    let lo = 0;
    let hi = this.centres.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (strict ? this.centres[mid]! <= y : this.centres[mid]! < y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The positions [from, to) of the runs whose centres are within `reach` of `centre`. */
  near(centre: number, reach: number): [number, number] {
    const from = this.firstFrom(centre - reach, false);
    let to = from;
    while (to < this.runs.length && this.centres[to]! <= centre + reach) to++;
    return [from, to];
  }

  /** The positions [from, to) of the runs whose centres lie strictly between `above` and `below`. */
  between(above: number, below: number): [number, number] {
    const from = this.firstFrom(above, true);
    let to = from;
    while (to < this.runs.length && this.centres[to]! < below) to++;
    return [from, to];
  }

  /**
   * Of the runs crossing the strip (s0, s1): the bottom edge nearest `centre` of those centred at
   * or above it, and the top edge nearest it of those centred below it (-Infinity, Infinity: none).
   * The search walks away from the centre and stops where no run could reach back past the edge found.
   */
  nearestAcross(s0: number, s1: number, centre: number): { above: number; below: number } {
    const split = this.firstFrom(centre, true);
    let above = -Infinity;
    for (let i = split - 1; i >= 0 && this.centres[i]! + this.reach >= above; i--) {
      const r = this.runs[i]!;
      if (r.bbox[0] < s1 - 0.5 && r.bbox[2] > s0 + 0.5) above = Math.max(above, r.bbox[3]);
    }
    let below = Infinity;
    for (let i = split; i < this.runs.length && this.centres[i]! - this.reach <= below; i++) {
      const r = this.runs[i]!;
      if (r.bbox[0] < s1 - 0.5 && r.bbox[2] > s0 + 0.5) below = Math.min(below, r.bbox[1]);
    }
    return { above, below };
  }
}

function centreOf(run: GlyphRun): number {
  return (run.bbox[1] + run.bbox[3]) / 2;
}

/**
 * The gap between a line and the next run on its baseline is a gutter (see the file comment). The
 * gutter need not touch either side of the gap: a paragraph's short last line (on the left in
 * right-to-left text) or an indented first line leaves room between the line and the column edge,
 * so each strip of the gap that the rows just above and below leave free is tried.
 */
function isGutter(rows: RunRows, line: BBox, run: GlyphRun, options: LineOptions): boolean {
  const h = Math.max(1, boxHeight(line), boxHeight(run.bbox));
  const row: BBox = [line[2], Math.min(line[1], run.bbox[1]), run.bbox[0], Math.max(line[3], run.bbox[3])];
  for (const [a, b] of freeStrips(rows, row, NEIGHBOUR_ROWS * h)) {
    if (b - a < GUTTER_MIN_GAP * run.size) continue;
    const strip = Math.min(b - a, GUTTER_STRIP * run.size);
    // away from the row's own sides, where rivers of word gaps run through justified text, a
    // column edge must hold for longer
    if (columnEdge(rows, a, a + strip, 'end', row, h, options, a === row[0] ? 1 : INNER_EVIDENCE)) return true;
    if (columnEdge(rows, b - strip, b, 'start', row, h, options, b === row[2] ? 1 : INNER_EVIDENCE)) return true;
    // indented lines on both sides (list items, a short line of each column) leave the columns'
    // edges inside the strip: where the text further up and down ends and starts
    for (const [x, edge] of edgesWithin(rows, a, b, row, options.gutterLines * h)) {
      const [s0, s1] = edge === 'end' ? [x, Math.min(b, x + strip)] : [Math.max(a, x - strip), x];
      if (columnEdge(rows, s0, s1, edge, row, h, options, INNER_EVIDENCE)) return true;
    }
  }
  return false;
}

/** Where runs within `reach` of the row end or start strictly inside [a, b], each place once (the rightmost run's, of runs rounding to one place). */
function edgesWithin(rows: RunRows, a: number, b: number, row: BBox, reach: number): Array<[number, 'start' | 'end']> {
  const seen = new Map<string, { x: number; edge: 'start' | 'end'; rank: number }>();
  const note = (key: string, x: number, edge: 'start' | 'end', rank: number) => {
    const known = seen.get(key);
    if (!known) seen.set(key, { x, edge, rank });
    else if (rank > known.rank) Object.assign(known, { x, rank });
  };
  const [from, to] = rows.near((row[1] + row[3]) / 2, reach);
  for (let i = from; i < to; i++) {
    const r = rows.run(i);
    const rank = rows.ranks[i]!;
    if (r.bbox[2] > a + 1 && r.bbox[2] < b - 1) note(`e${Math.round(r.bbox[2])}`, r.bbox[2], 'end', rank);
    if (r.bbox[0] > a + 1 && r.bbox[0] < b - 1) note(`s${Math.round(r.bbox[0])}`, r.bbox[0], 'start', rank);
  }
  return [...seen.values()].map(({ x, edge }) => [x, edge]);
}

/** The stretches of the row's gap [row[0], row[2]] that no run within `reach` of the row's centre crosses. */
function freeStrips(rows: RunRows, row: BBox, reach: number): Array<[number, number]> {
  const taken: Array<[number, number]> = [];
  const [from, to] = rows.near((row[1] + row[3]) / 2, reach);
  for (let i = from; i < to; i++) {
    const r = rows.run(i);
    if (r.bbox[0] >= row[2] - 0.5 || r.bbox[2] <= row[0] + 0.5) continue;
    taken.push([r.bbox[0] + 0.5, r.bbox[2] - 0.5]);
  }
  taken.sort((p, q) => p[0] - q[0]);
  const free: Array<[number, number]> = [];
  let start = row[0];
  for (const [t0, t1] of taken) {
    if (t0 - start >= 1) free.push([start, t0]);
    start = Math.max(start, t1);
  }
  if (row[2] - start >= 1) free.push([start, row[2]]);
  return free;
}

/**
 * A strip [s0, s1] beside the gap is a column edge: no run crosses it for several line heights
 * around the row (nor in the rows next to it), and within that stretch other rows have text that
 * starts (or ends) exactly where the gap's side does: a column's aligned edge. Word gaps fail
 * both: neighbouring rows cross them, and nothing else lines up with a word.
 */
function columnEdge(rows: RunRows, s0: number, s1: number, edge: 'start' | 'end', row: BBox, h: number, options: LineOptions, evidence: number): boolean {
  if (s1 - s0 < 1) return false;
  const centre = (row[1] + row[3]) / 2;
  const { above, below } = rows.nearestAcross(s0, s1, centre);
  if (below - above < evidence * options.gutterLines * h || centre - above < h || below - centre < h) return false;
  const witnesses = new Set<number>();
  const x = edge === 'start' ? s1 : s0;
  const [from, to] = rows.between(above, below);
  for (let i = from; i < to; i++) {
    const r = rows.run(i);
    const c = rows.centre(i);
    if (Math.abs(c - centre) < 0.5 * h) continue;
    const tolerance = Math.max(1.5, EDGE_TOLERANCE * r.size);
    if (Math.abs((edge === 'start' ? r.bbox[0] : r.bbox[2]) - x) <= tolerance) witnesses.add(Math.round(c / h));
    if (witnesses.size >= evidence * GUTTER_WITNESS_ROWS) return true;
  }
  return false;
}

function finishLine(line: OpenLine): Omit<TextLayerLine, 'rotated'> {
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
      const spaced = isWhiteSpace(previous.text.charCodeAt(previous.text.length - 1)) || isWhiteSpace(run.text.charCodeAt(0));
      const cjk = isCjk(previous.text.at(-1)) || isCjk(run.text[0]);
      if (!spaced && gap > (cjk ? CJK_SPACE_GAP : SPACE_GAP) * Math.min(run.size, previous.size)) text += ' ';
    }
    text += run.text;
    const n = visibleLength(run.text);
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
    text: visualToLogical(normaliseCompatibility(text.replace(/\s+/g, ' ').trim())),
    bbox: line.box,
    size,
    bold: boldChars * 2 > chars,
    italic: italicChars * 2 > chars,
    font: font?.[0] ?? '',
    runs: line.runs,
  };
}

/** The share of the runs' characters (those `notCounted` matches aside) set in a face `inFace` accepts. */
export function faceShare(runs: readonly GlyphRun[], inFace: (font: string) => boolean, notCounted?: RegExp): number {
  let matching = 0;
  let all = 0;
  for (const run of runs) {
    const n = notCounted ? run.text.replace(notCounted, '').length : visibleLength(run.text);
    all += n;
    if (inFace(run.font)) matching += n;
  }
  return all > 0 ? matching / all : 0;
}

/** The share of the lines' characters set in monospaced fonts. */
export function monospaceShare(lines: readonly TextLayerLine[]): number {
  return faceShare(lines.flatMap((l) => l.runs), isMonospace);
}

/**
 * Preformatted lines as they were set: one line each, indented and spaced in character cells of
 * the monospaced face (a run's width over its characters), from the block's left edge.
 */
export function preformattedText(lines: readonly TextLayerLine[], left: number): string {
  // a listing's line step: the smallest step between two of its lines, and no more than a line
  // set solid with some leading (where every line has an empty one after it, no step is single)
  const steps = lines.slice(1).map((line, i) => line.bbox[1] - lines[i]!.bbox[1]).filter((d) => d > 0);
  const step = Math.min(...steps, MAX_LINE_STEP * median(lines.map((l) => l.size)));
  const texts = lines.flatMap((line, i) => {
    // its empty lines: steps beyond the first between two lines
    const previous = lines[i - 1];
    const blank = previous && step > 0 && Number.isFinite(step) ? Math.min(MAX_BLANK_LINES, Math.max(0, Math.round((line.bbox[1] - previous.bbox[1]) / step) - 1)) : 0;
    return [...Array<string>(blank).fill(''), preformattedLine(line, left)];
  });
  // the block's box may reach left of every line (a rule's ink): no indent that all lines share
  const shared = Math.min(...texts.filter((t) => t.trim()).map((t) => t.length - t.trimStart().length));
  return texts.map((t) => t.slice(Number.isFinite(shared) ? shared : 0)).join('\n');
}

function preformattedLine(line: TextLayerLine, left: number): string {
  const cells = line.runs.filter((r) => r.text.length > 0 && isMonospace(r.font));
  const cell = cells.length > 0 ? cells.reduce((sum, r) => sum + (r.bbox[2] - r.bbox[0]), 0) / cells.reduce((sum, r) => sum + [...r.text].length, 0) : 0;
  if (!(cell > 0)) return line.text;
  let text = ' '.repeat(Math.max(0, Math.round((line.bbox[0] - left) / cell)));
  let end: number | undefined;
  for (const run of line.runs) {
    if (end !== undefined) text += ' '.repeat(Math.max(/\s$/.test(text) || /^\s/.test(run.text) ? 0 : 1, Math.round((run.bbox[0] - end) / cell)));
    text += run.text;
    end = run.bbox[2];
  }
  return normaliseCompatibility(text.trimEnd());
}
