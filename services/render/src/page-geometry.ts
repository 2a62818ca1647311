// Engine-neutral page geometry in raster pixels: affine transforms, boxes, and which vector
// strokes and thin fills count as rulings (table frames, underlines) for layout.
import type { BBox, Ruling } from '@paperline/contracts';

export type Matrix = [number, number, number, number, number, number];

export interface GraphicsOptions {
  /** A filled rectangle at most this thick (px) is a ruling. @default 4 */
  maxRulingThickness: number;
  /** Shorter rulings are ignored (px). @default 12 */
  minRulingLength: number;
  /** Smaller images (either side, px) are ignored: bullets, glyph masks. @default 12 */
  minImageSide: number;
  /** Caps the work on pages of dense vector art. @default 4000 */
  maxRulings: number;
}

export const DEFAULT_GRAPHICS_OPTIONS: Readonly<GraphicsOptions> = Object.freeze({
  maxRulingThickness: 4,
  minRulingLength: 12,
  minImageSide: 12,
  maxRulings: 4000,
});

export interface PageSize {
  width: number;
  height: number;
}

/** The product `a x b`: b applied first, then a (pdfjs's Util.transform order). */
export function multiply(a: Matrix, b: Matrix): Matrix {
  return [
    a[0] * b[0] + a[2] * b[1],
    a[1] * b[0] + a[3] * b[1],
    a[0] * b[2] + a[2] * b[3],
    a[1] * b[2] + a[3] * b[3],
    a[0] * b[4] + a[2] * b[5] + a[4],
    a[1] * b[4] + a[3] * b[5] + a[5],
  ];
}

/** pdfjs 5's Util.applyTransform writes in place; this returns the point. */
export function apply(m: Matrix, x: number, y: number): [number, number] {
  return [x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]];
}

export function deviceBox(ctm: Matrix, x0: number, y0: number, x1: number, y1: number): BBox {
  const corners = [
    [x0, y0],
    [x1, y0],
    [x0, y1],
    [x1, y1],
  ].map(([x, y]) => apply(ctm, x!, y!));
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

export function clipBox(box: BBox, size: PageSize): BBox {
  return [Math.max(0, box[0]), Math.max(0, box[1]), Math.min(size.width, box[2]), Math.min(size.height, box[3])];
}

function clipRuling(r: Ruling, size: PageSize): Ruling {
  const clamp = (v: number, max: number) => Math.round(Math.min(max, Math.max(0, v)) * 10) / 10;
  return { x0: clamp(r.x0, size.width), y0: clamp(r.y0, size.height), x1: clamp(r.x1, size.width), y1: clamp(r.y1, size.height) };
}

/** Collects a page's rulings from stroked segments and filled boxes, in device pixels. */
export class RulingCollector {
  readonly rulings: Ruling[] = [];

  constructor(
    private readonly pageSize: PageSize,
    private readonly options: GraphicsOptions = DEFAULT_GRAPHICS_OPTIONS,
  ) {}

  /** A stroked straight segment: a ruling when it is horizontal or vertical and long enough. */
  segment(x0: number, y0: number, x1: number, y1: number): void {
    const { options } = this;
    if (this.rulings.length >= options.maxRulings) return;
    const horizontal = Math.abs(y1 - y0) <= options.maxRulingThickness;
    const vertical = Math.abs(x1 - x0) <= options.maxRulingThickness;
    if (horizontal === vertical) return; // diagonal, or a dot
    const length = horizontal ? Math.abs(x1 - x0) : Math.abs(y1 - y0);
    if (length < options.minRulingLength) return;
    const ruling = horizontal
      ? { x0: Math.min(x0, x1), y0: (y0 + y1) / 2, x1: Math.max(x0, x1), y1: (y0 + y1) / 2 }
      : { x0: (x0 + x1) / 2, y0: Math.min(y0, y1), x1: (x0 + x1) / 2, y1: Math.max(y0, y1) };
    this.rulings.push(clipRuling(ruling, this.pageSize));
  }

  /** A filled shape's device box: a ruling along its length when it is thin. */
  filled([x0, y0, x1, y1]: BBox): void {
    if (Math.min(x1 - x0, y1 - y0) > this.options.maxRulingThickness) return;
    if (x1 - x0 >= y1 - y0) this.segment(x0, (y0 + y1) / 2, x1, (y0 + y1) / 2);
    else this.segment((x0 + x1) / 2, y0, (x0 + x1) / 2, y1);
  }
}
