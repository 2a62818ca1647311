// Ruling lines of a scanned table, found in its pixels: long thin runs of dark pixels, horizontal
// and vertical. Text strokes are short; a ruling runs across several cells.
import type { BBox, Ruling } from '@paperline/contracts';

export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface RasterRulingOptions {
  /** Pixels darker than this are ink. @default 160 */
  inkThreshold: number;
  /** Light pixels bridged inside one run (broken scan lines). @default 2 */
  maxGap: number;
  /** Least run length, as a share of the crop's side. @default 0.15 */
  minLengthShare: number;
  /** Least run length in pixels, whatever the crop's size. @default 24 */
  minLength: number;
  /** A dark band thicker than this is a filled area, not a ruling. @default 8 */
  maxThickness: number;
}

export const DEFAULT_RASTER_RULING_OPTIONS: Readonly<RasterRulingOptions> = Object.freeze({ inkThreshold: 160, maxGap: 2, minLengthShare: 0.15, minLength: 24, maxThickness: 8 });

interface Run {
  at: number;
  from: number;
  to: number;
}

/** Rulings of `image` (a crop whose top-left corner is `origin` on the page), in page pixels. */
export function findRasterRulings(image: GrayImage, origin: readonly [number, number] = [0, 0], options: RasterRulingOptions = DEFAULT_RASTER_RULING_OPTIONS): Ruling[] {
  const { width, height, data } = image;
  const ink = (x: number, y: number) => data[y * width + x]! < options.inkThreshold;
  const horizontalRuns = runs(height, width, (line, pos) => ink(pos, line), Math.max(options.minLength, options.minLengthShare * width), options.maxGap);
  const verticalRuns = runs(width, height, (line, pos) => ink(line, pos), Math.max(options.minLength, options.minLengthShare * height), options.maxGap);
  const [ox, oy] = origin;
  return [
    ...strokes(horizontalRuns, options.maxThickness).map(({ at, from, to }) => ({ x0: ox + from, y0: oy + at, x1: ox + to, y1: oy + at })),
    ...strokes(verticalRuns, options.maxThickness).map(({ at, from, to }) => ({ x0: ox + at, y0: oy + from, x1: ox + at, y1: oy + to })),
  ];
}

/** Long ink runs along each line (row or column) of the image. */
function runs(lines: number, length: number, inkAt: (line: number, pos: number) => boolean, minLength: number, maxGap: number): Run[] {
  const found: Run[] = [];
  for (let line = 0; line < lines; line++) {
    let start = -1;
    let lastInk = -1;
    for (let pos = 0; pos <= length; pos++) {
      const dark = pos < length && inkAt(line, pos);
      if (dark) {
        if (start < 0) start = pos;
        lastInk = pos;
      } else if (start >= 0 && (pos - lastInk > maxGap || pos === length)) {
        if (lastInk - start + 1 >= minLength) found.push({ at: line, from: start, to: lastInk });
        start = -1;
      }
    }
  }
  return found;
}

/** Runs on adjacent lines that overlap are one stroke (a ruling a few pixels thick), at its centre line. */
function strokes(found: readonly Run[], maxThickness: number): Run[] {
  const open: Array<{ first: number; last: number; from: number; to: number }> = [];
  const done: typeof open = [];
  for (const run of found) {
    const stroke = open.find((s) => s.last >= run.at - 1 && run.from <= s.to && run.to >= s.from);
    if (stroke) {
      stroke.last = run.at;
      stroke.from = Math.min(stroke.from, run.from);
      stroke.to = Math.max(stroke.to, run.to);
    } else {
      open.push({ first: run.at, last: run.at, from: run.from, to: run.to });
    }
    for (let i = open.length - 1; i >= 0; i--) {
      if (open[i]!.last < run.at - 1) done.push(...open.splice(i, 1));
    }
  }
  done.push(...open);
  return done.filter((s) => s.last - s.first + 1 <= maxThickness).map((s) => ({ at: (s.first + s.last) / 2, from: s.from, to: s.to }));
}

/** Luma of interleaved RGB pixels (BT.601 weights). */
export function grayOf(image: { data: Uint8Array; width: number; height: number }): GrayImage {
  const data = new Uint8Array(image.width * image.height);
  for (let i = 0, j = 0; i < data.length; i++, j += 3) data[i] = (image.data[j]! * 299 + image.data[j + 1]! * 587 + image.data[j + 2]! * 114) / 1000;
  return { data, width: image.width, height: image.height };
}

/** The pixel rectangle of `bbox` inside an image, clamped; undefined when nothing is left. */
export function clampRect(bbox: BBox, width: number, height: number): { left: number; top: number; width: number; height: number } | undefined {
  const left = Math.max(0, Math.floor(bbox[0]));
  const top = Math.max(0, Math.floor(bbox[1]));
  const right = Math.min(width, Math.ceil(bbox[2]));
  const bottom = Math.min(height, Math.ceil(bbox[3]));
  return right - left >= 1 && bottom - top >= 1 ? { left, top, width: right - left, height: bottom - top } : undefined;
}
