// Crops of a page raster (figures), cut with sharp and stored as PNG in pl-pages.
import type { BBox } from '@paperline/contracts';
import sharp from 'sharp';

/** The crop's pixel rectangle, clamped to the image; undefined when nothing is left. */
export function cropRect(bbox: BBox, width: number, height: number): sharp.Region | undefined {
  const left = Math.max(0, Math.floor(bbox[0]));
  const top = Math.max(0, Math.floor(bbox[1]));
  const right = Math.min(width, Math.ceil(bbox[2]));
  const bottom = Math.min(height, Math.ceil(bbox[3]));
  return right - left >= 1 && bottom - top >= 1 ? { left, top, width: right - left, height: bottom - top } : undefined;
}

/** PNG crops of `raster`, one per box (undefined for a box outside the image). */
export async function cropRaster(raster: Uint8Array, boxes: readonly BBox[]): Promise<Array<Uint8Array | undefined>> {
  const image = sharp(raster);
  const { width = 0, height = 0 } = await image.metadata();
  return Promise.all(
    boxes.map(async (box) => {
      const rect = cropRect(box, width, height);
      return rect ? new Uint8Array(await image.clone().extract(rect).png().toBuffer()) : undefined;
    }),
  );
}
