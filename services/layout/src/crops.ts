// Crops of a page raster (figures), cut with sharp and stored as PNG in pl-pages.
import { ASSET_PNG_COMPRESSION, type BBox } from '@paperline/contracts';
import sharp from 'sharp';

/** The crop's pixel rectangle, clamped to the image; undefined when nothing is left. */
export function cropRect(bbox: BBox, width: number, height: number): sharp.Region | undefined {
  const left = Math.max(0, Math.floor(bbox[0]));
  const top = Math.max(0, Math.floor(bbox[1]));
  const right = Math.min(width, Math.ceil(bbox[2]));
  const bottom = Math.min(height, Math.ceil(bbox[3]));
  return right - left >= 1 && bottom - top >= 1 ? { left, top, width: right - left, height: bottom - top } : undefined;
}

const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };
const ASSET_PNG = { compressionLevel: ASSET_PNG_COMPRESSION };

/**
 * PNG crops of `raster`, one per box in page pixels (undefined for a box off the page). The raster
 * covers `covers` of the page (render's `rasterBox`: an image layer painted only where its pictures
 * are): a box is cut where it overlaps that and padded with the white around it. A box that is
 * exactly the raster's rectangle (a page's one figure) is the raster itself, neither decoded nor encoded
 * (the crops' decoding and encoding were the largest native share of the pipeline process on the
 * text-layer path).
 */
export async function cropRaster(raster: Uint8Array, boxes: readonly BBox[], page: { width: number; height: number }, covers?: BBox): Promise<Array<Uint8Array | undefined>> {
  const image = sharp(raster);
  const { width = 0, height = 0 } = await image.metadata();
  const [originX, originY] = covers ?? [0, 0];
  return Promise.all(
    boxes.map(async (box) => {
      const wanted = covers ? cropRect(box, page.width, page.height) : cropRect(box, width, height);
      if (!wanted) return undefined;
      // the same rectangle on the raster, which may show only part of it
      const left = wanted.left - originX;
      const top = wanted.top - originY;
      if (left === 0 && top === 0 && wanted.width === width && wanted.height === height) return raster;
      const shown = cropRect([left, top, left + wanted.width, top + wanted.height], width, height);
      if (!shown) return new Uint8Array(await sharp({ create: { width: wanted.width, height: wanted.height, channels: 3, background: WHITE } }).png(ASSET_PNG).toBuffer());
      const padding = {
        left: shown.left - left,
        top: shown.top - top,
        right: left + wanted.width - (shown.left + shown.width),
        bottom: top + wanted.height - (shown.top + shown.height),
      };
      const crop = image.clone().extract(shown);
      const padded = padding.left || padding.top || padding.right || padding.bottom ? crop.extend({ ...padding, background: WHITE }) : crop;
      return new Uint8Array(await padded.png(ASSET_PNG).toBuffer());
    }),
  );
}
