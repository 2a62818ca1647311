// The "image layer" of a born-digital page: its embedded images, as pdfjs decoded them for the
// operator list, placed at their device rectangles on white. Figure crops need nothing else, so a
// page with a text layer and pictures needs no page raster (painting every glyph as a path and
// encoding a full page cost ~150 ms of CPU per page).
import type { BBox } from '@paperline/contracts';
import sharp from 'sharp';
import type { ImagePlacement, Matrix, PdfjsImage } from './pdf-graphics.js';
import { PAGE_PNG_COMPRESSION } from './page-png.js';

const GRAYSCALE_1BPP = 1;
const RGB_24BPP = 2;
const RGBA_32BPP = 3;
/** A transform with shear or rotation beyond this share of its scale is not an upright image. */
const MAX_SKEW = 1e-3;

/**
 * The image layer as PNG, or undefined when one of the images cannot be placed without the
 * canvas (rotated, repeated, not decoded): the caller rasterises then.
 */
export async function composeImageLayer(
  placements: readonly ImagePlacement[],
  lookup: (id: string) => Promise<PdfjsImage | undefined>,
  size: { width: number; height: number },
): Promise<Uint8Array | undefined> {
  const layers: sharp.OverlayOptions[] = [];
  for (const placement of placements) {
    const image = typeof placement.image === 'string' ? await lookup(placement.image) : (placement.image ?? undefined);
    // a stencil mask is painted black: the fill colour is not tracked (masks are mostly black line art)
    const raw = image ? rawPixels(placement.mask ? { ...image, kind: GRAYSCALE_1BPP } : image) : undefined;
    const [a, b, c, d] = placement.ctm;
    if (!raw || Math.abs(b) + Math.abs(c) > MAX_SKEW * (Math.abs(a) + Math.abs(d))) return undefined;
    const full = deviceRect(placement.ctm);
    const visible = intersect(full, placement.box);
    if (!visible) continue;
    // an upright image has row 0 at the top: the viewport flips y, so d < 0; a mirrored one is flipped back
    let pipeline = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } })
      .resize(full.width, full.height, { fit: 'fill' })
      .flip(d > 0)
      .flop(a < 0)
      .toColourspace('srgb');
    if (visible.left !== full.left || visible.top !== full.top || visible.width !== full.width || visible.height !== full.height) {
      // sharp resizes before it extracts when extract follows resize in the chain
      pipeline = pipeline.extract({ left: visible.left - full.left, top: visible.top - full.top, width: visible.width, height: visible.height });
    }
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    layers.push({ input: data, raw: { width: info.width, height: info.height, channels: info.channels }, left: visible.left, top: visible.top });
  }
  const png = await sharp({ create: { width: size.width, height: size.height, channels: 3, background: '#ffffff' } })
    .composite(layers)
    .removeAlpha()
    .png({ compressionLevel: PAGE_PNG_COMPRESSION })
    .toBuffer();
  return new Uint8Array(png);
}

interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The image's unit square through the transform, in whole pixels. */
function deviceRect(ctm: Matrix): Rect {
  const xs = [ctm[4], ctm[0] + ctm[4]];
  const ys = [ctm[5], ctm[3] + ctm[5]];
  const left = Math.round(Math.min(...xs));
  const top = Math.round(Math.min(...ys));
  return { left, top, width: Math.max(1, Math.round(Math.max(...xs)) - left), height: Math.max(1, Math.round(Math.max(...ys)) - top) };
}

function intersect(rect: Rect, box: BBox): Rect | undefined {
  const left = Math.max(rect.left, Math.ceil(box[0]));
  const top = Math.max(rect.top, Math.ceil(box[1]));
  const right = Math.min(rect.left + rect.width, Math.floor(box[2]));
  const bottom = Math.min(rect.top + rect.height, Math.floor(box[3]));
  return right > left && bottom > top ? { left, top, width: right - left, height: bottom - top } : undefined;
}

/** The image as raw 8-bit pixels for sharp; undefined for a kind that is not one of pdfjs's three. */
function rawPixels(image: PdfjsImage): { data: Uint8Array; width: number; height: number; channels: 1 | 3 | 4 } | undefined {
  const { width, height, kind, data } = image;
  if (!data || width < 1 || height < 1) return undefined;
  if (kind === RGB_24BPP && data.length >= width * height * 3) return { data: bytes(data), width, height, channels: 3 };
  if (kind === RGBA_32BPP && data.length >= width * height * 4) return { data: bytes(data), width, height, channels: 4 };
  if (kind === GRAYSCALE_1BPP) return { data: unpackBits(data, width, height), width, height, channels: 1 };
  return undefined;
}

const bytes = (data: Uint8Array | Uint8ClampedArray) => new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** pdfjs's 1-bit grey rows (a set bit is white, rows padded to bytes) as 8-bit grey. */
function unpackBits(data: Uint8Array | Uint8ClampedArray, width: number, height: number): Uint8Array {
  const stride = Math.ceil(width / 8);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      out[y * width + x] = (data[y * stride + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 255 : 0;
    }
  }
  return out;
}
