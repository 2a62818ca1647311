// Decoded page rasters: interleaved RGB bytes, decoded once and sampled by every stage of OCR.
import { PaperlineError } from '@paperline/contracts';
import sharp from 'sharp';

export interface RgbImage {
  /** width * height * 3 bytes, RGB, row-major. */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Decodes PNG/JPEG/... bytes to RGB (alpha flattened onto white). */
export async function decodeRgb(bytes: Uint8Array): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes).flatten({ background: '#ffffff' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch (cause) {
    throw new PaperlineError('CORRUPT_IMAGE', cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** Resizes to exactly width x height (aspect not kept), as the detector wants. */
export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (width === image.width && height === image.height) return image;
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Copies the pixels of an integer rectangle (clipped to the image). */
export function cropRgb(image: RgbImage, x0: number, y0: number, x1: number, y1: number): RgbImage {
  const left = Math.max(0, Math.floor(x0));
  const top = Math.max(0, Math.floor(y0));
  const width = Math.max(1, Math.min(image.width, Math.ceil(x1)) - left);
  const height = Math.max(1, Math.min(image.height, Math.ceil(y1)) - top);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const src = ((top + y) * image.width + left) * 3;
    data.set(image.data.subarray(src, src + width * 3), y * width * 3);
  }
  return { data, width, height };
}

/** The image turned clockwise by a multiple of 90 degrees (exact: no resampling). */
export async function rotateRgb(image: RgbImage, degrees: 0 | 90 | 180 | 270): Promise<RgbImage> {
  if (degrees === 0) return image;
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .rotate(degrees)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
