// Page orientation (0, 90, 180 or 270 degrees) from the models' own evidence, before a page is
// read: the text detector's boxes say whether lines run across the page or up and down it (a page
// turned by a quarter), and the recogniser's confidence on the longest lines, read each candidate
// way up, says which of the two. Measured against Tesseract's OSD in docs/architecture.md
// (`npm run bench:orientation`): as accurate on the demo pages, and cheaper per page.
import { quadSize, rotateQuad180, rotateQuad90, type Quad } from './quad.js';

/** Degrees the page must be turned clockwise to stand upright. */
export type PageRotation = 0 | 90 | 180 | 270;

export interface OrientationOptions {
  /** Lines read each candidate way up. @default 8 */
  sampleLines?: number;
  /** A line counts as evidence when its long side is at least this many times its short side. @default 2 */
  minElongation?: number;
  /** Upside down wins only when its mean confidence beats upright by more than this. @default 0.05 */
  flipMargin?: number;
  /** A sampled line is read only from its start to this many times its height. @default 8 */
  maxProbeAspect?: number;
}

export const DEFAULT_ORIENTATION_SAMPLE_LINES = 8;
export const DEFAULT_ORIENTATION_MIN_ELONGATION = 2;
export const DEFAULT_ORIENTATION_FLIP_MARGIN = 0.05;
/**
 * Eight words or so tell which way up a line is as well as the whole line does; whole lines
 * (up to 2,560 px at recognition height) made the probe cost 4 times the page's detection.
 */
export const DEFAULT_ORIENTATION_MAX_PROBE_ASPECT = 8;

/** The lines to read and the two rotations to read them at. */
export interface OrientationProbe {
  candidates: [PageRotation, PageRotation];
  /** Indices of the sampled boxes, longest first. */
  sample: number[];
}

/**
 * The quad to read a line by when the page needs `rotation` (clockwise) to stand upright: its
 * corners cycled so that the crop starts at the text's own top-left.
 */
export function readingQuad(quad: Quad, rotation: PageRotation): Quad {
  switch (rotation) {
    case 0:
      return quad;
    case 90:
      return rotateQuad180(rotateQuad90(quad));
    case 180:
      return rotateQuad180(quad);
    case 270:
      return rotateQuad90(quad);
  }
}

/** The line read by `readingQuad`, cut after `maxAspect` times its height. */
export function probeQuad(quad: Quad, rotation: PageRotation, maxAspect = DEFAULT_ORIENTATION_MAX_PROBE_ASPECT): Quad {
  const q = readingQuad(quad, rotation);
  const { width, height } = quadSize(q);
  const keep = Math.min(1, (maxAspect * height) / Math.max(1, width));
  if (keep >= 1) return q;
  const along = (from: [number, number], to: [number, number]): [number, number] => [from[0] + (to[0] - from[0]) * keep, from[1] + (to[1] - from[1]) * keep];
  return [q[0], along(q[0], q[1]), along(q[3], q[2]), q[3]];
}

/**
 * Most elongated boxes lying down: upright or upside down; most standing: a quarter turn either
 * way. No elongated box at all (a photo, a page of a few words): nothing to probe.
 */
export function orientationProbe(quads: readonly Quad[], options: OrientationOptions = {}): OrientationProbe | undefined {
  const minElongation = options.minElongation ?? DEFAULT_ORIENTATION_MIN_ELONGATION;
  const lying: number[] = [];
  const standing: number[] = [];
  const length: number[] = [];
  quads.forEach((quad, i) => {
    const { width, height } = quadSize(quad);
    length.push(Math.max(width, height));
    if (width >= minElongation * height) lying.push(i);
    else if (height >= minElongation * width) standing.push(i);
  });
  if (lying.length === 0 && standing.length === 0) return undefined;
  const sideways = standing.length > lying.length;
  const sample = (sideways ? standing : lying)
    .sort((a, b) => length[b]! - length[a]! || a - b)
    .slice(0, options.sampleLines ?? DEFAULT_ORIENTATION_SAMPLE_LINES);
  return { candidates: sideways ? [90, 270] : [0, 180], sample };
}

/**
 * The rotation whose readings are the more confident. Upright is the prior: upside down must win
 * clearly; between the two quarter turns there is none.
 */
export function chooseRotation(probe: OrientationProbe, confidences: readonly [number[], number[]], options: OrientationOptions = {}): PageRotation {
  const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  const [first, second] = probe.candidates;
  const [a, b] = [mean(confidences[0]), mean(confidences[1])];
  if (first === 0) return b > a + (options.flipMargin ?? DEFAULT_ORIENTATION_FLIP_MARGIN) ? second : first;
  return b > a ? second : first;
}
