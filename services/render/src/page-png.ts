// Page rasters as PNG, whichever engine painted them.
import sharp from 'sharp';

/** zlib level of page rasters: they live briefly in pl-pages, so speed beats size. */
export const PAGE_PNG_COMPRESSION = 2;

/** A page painted on white, as RGBA pixels, encoded as an RGB PNG (by sharp, off the main thread). */
export async function pagePng(rgba: Uint8Array, width: number, height: number, compressionLevel = PAGE_PNG_COMPRESSION): Promise<Uint8Array> {
  const png = await sharp(rgba, { raw: { width, height, channels: 4 } })
    .removeAlpha()
    .png({ compressionLevel })
    .toBuffer();
  return new Uint8Array(png);
}
