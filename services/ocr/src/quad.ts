// Text boxes as quadrilaterals and the perspective sampling that cuts them out of a page.
// Crops are sampled straight into model tensors (normalised, channel-planar, BGR) so a line
// crop is never materialised as an image of its own.
import type { BBox } from '@paperline/contracts';
import type { RgbImage } from './raster.js';

/** Corners clockwise from the text's top-left: [tl, tr, br, bl], each [x, y] in page pixels. */
export type Quad = [[number, number], [number, number], [number, number], [number, number]];

export function quadFromBox(b: BBox): Quad {
  return [
    [b[0], b[1]],
    [b[2], b[1]],
    [b[2], b[3]],
    [b[0], b[3]],
  ];
}

export function quadBox(q: Quad): BBox {
  const xs = q.map((p) => p[0]);
  const ys = q.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

const dist = (a: [number, number], b: [number, number]): number => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** Width and height of the rectangle the quad is straightened into. */
export function quadSize(q: Quad): { width: number; height: number } {
  return {
    width: Math.max(dist(q[0], q[1]), dist(q[3], q[2])),
    height: Math.max(dist(q[0], q[3]), dist(q[1], q[2])),
  };
}

/** The same region seen turned 90 degrees counter-clockwise (vertical text read as a line). */
export function rotateQuad90(q: Quad): Quad {
  return [q[1], q[2], q[3], q[0]];
}

/** The same region turned upside down. */
export function rotateQuad180(q: Quad): Quad {
  return [q[2], q[3], q[0], q[1]];
}

/** Where a sampled crop goes inside a [N,3,H,W] tensor. */
export interface TensorSlot {
  readonly tensor: Float32Array;
  /** Index of the crop's first element (n * 3 * H * W). */
  readonly offset: number;
  /** Tensor width W (row stride). */
  readonly stride: number;
  /** Tensor height H. */
  readonly height: number;
  /** Pixels written per row (the crop's resized width, <= W). */
  readonly width: number;
  /** value = (px / 255 - mean) / std, the same for the three planes. */
  readonly mean: number;
  readonly std: number;
}

/**
 * Samples the quad into the slot's width x height, BGR planes, bilinear with edge replication.
 * When the crop shrinks by more than 1.5x, each output pixel averages a k x k grid of samples
 * so that large headings are not aliased.
 */
export function sampleQuad(image: RgbImage, q: Quad, slot: TensorSlot): void {
  const { tensor, offset, stride, height: H, width: W, mean, std } = slot;
  const h = homography(q);
  const size = quadSize(q);
  const k = Math.max(1, Math.min(4, Math.round(Math.max(size.width / W, size.height / H))));
  const plane = H * stride;
  const { data, width: iw, height: ih } = image;
  const scale = 1 / (255 * std);
  const bias = mean / std;
  const inv = 1 / (k * k);
  for (let j = 0; j < H; j++) {
    for (let i = 0; i < W; i++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sj = 0; sj < k; sj++) {
        const v = (j + (sj + 0.5) / k) / H;
        for (let si = 0; si < k; si++) {
          const u = (i + (si + 0.5) / k) / W;
          const den = h[6] * u + h[7] * v + 1;
          let x = (h[0] * u + h[1] * v + h[2]) / den - 0.5;
          let y = (h[3] * u + h[4] * v + h[5]) / den - 0.5;
          x = x < 0 ? 0 : x > iw - 1 ? iw - 1 : x;
          y = y < 0 ? 0 : y > ih - 1 ? ih - 1 : y;
          const x0 = x | 0;
          const y0 = y | 0;
          const x1 = x0 + 1 < iw ? x0 + 1 : x0;
          const y1 = y0 + 1 < ih ? y0 + 1 : y0;
          const fx = x - x0;
          const fy = y - y0;
          const a = (y0 * iw + x0) * 3;
          const c = (y0 * iw + x1) * 3;
          const d = (y1 * iw + x0) * 3;
          const e = (y1 * iw + x1) * 3;
          const w00 = (1 - fx) * (1 - fy);
          const w01 = fx * (1 - fy);
          const w10 = (1 - fx) * fy;
          const w11 = fx * fy;
          r += data[a]! * w00 + data[c]! * w01 + data[d]! * w10 + data[e]! * w11;
          g += data[a + 1]! * w00 + data[c + 1]! * w01 + data[d + 1]! * w10 + data[e + 1]! * w11;
          b += data[a + 2]! * w00 + data[c + 2]! * w01 + data[d + 2]! * w10 + data[e + 2]! * w11;
        }
      }
      const idx = offset + j * stride + i;
      tensor[idx] = b * inv * scale - bias;
      tensor[idx + plane] = g * inv * scale - bias;
      tensor[idx + 2 * plane] = r * inv * scale - bias;
    }
  }
}

/** Coefficients [a,b,c,d,e,f,g,h] mapping the unit square (u,v) onto the quad (Heckbert). */
type Homography = [number, number, number, number, number, number, number, number];

function homography(q: Quad): Homography {
  const [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = q;
  const dx3 = x0 - x1 + x2 - x3;
  const dy3 = y0 - y1 + y2 - y3;
  if (Math.abs(dx3) < 1e-9 && Math.abs(dy3) < 1e-9) {
    return [x1 - x0, x3 - x0, x0, y1 - y0, y3 - y0, y0, 0, 0];
  }
  const dx1 = x1 - x2;
  const dx2 = x3 - x2;
  const dy1 = y1 - y2;
  const dy2 = y3 - y2;
  const den = dx1 * dy2 - dx2 * dy1 || 1e-9;
  const g = (dx3 * dy2 - dx2 * dy3) / den;
  const hh = (dx1 * dy3 - dx3 * dy1) / den;
  return [x1 - x0 + g * x1, x3 - x0 + hh * x3, x0, y1 - y0 + g * y1, y3 - y0 + hh * y3, y0, g, hh];
}
