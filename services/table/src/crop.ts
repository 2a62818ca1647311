// A table region's pixels, cut once from the page raster and shared by the backends.
import { PaperlineError, type BBox } from '@paperline/contracts';
import sharp from 'sharp';
import { clampRect, type GrayImage } from '@paperline/vision';
import { slanetResize, type RgbCrop } from './slanet.js';

/** The region of a page raster; `origin` is its top-left corner on the page. */
export class RegionCrop {
  private constructor(
    private readonly image: sharp.Sharp,
    readonly origin: [number, number],
    readonly width: number,
    readonly height: number,
  ) {}

  /** Undefined when the region lies outside the raster. */
  static async cut(png: Uint8Array, bbox: BBox): Promise<RegionCrop | undefined> {
    try {
      const page = sharp(png);
      const { width = 0, height = 0 } = await page.metadata();
      const rect = clampRect(bbox, width, height);
      if (!rect) return undefined;
      const image = sharp(await page.extract(rect).flatten({ background: '#ffffff' }).png().toBuffer());
      return new RegionCrop(image, [rect.left, rect.top], rect.width, rect.height);
    } catch (cause) {
      throw new PaperlineError('CORRUPT_IMAGE', cause instanceof Error ? cause.message : String(cause), { cause });
    }
  }

  async gray(): Promise<GrayImage> {
    const { data, info } = await this.image.clone().greyscale().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  }

  /** RGB resized for SLANet (longer side 488, bilinear), with the ratio applied. */
  async forSlanet(): Promise<{ crop: RgbCrop; ratio: number }> {
    const size = slanetResize(this.width, this.height);
    const { data, info } = await this.image
      .clone()
      .removeAlpha()
      .toColourspace('srgb')
      .resize(size.width, size.height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { crop: { data, width: info.width, height: info.height }, ratio: size.ratio };
  }
}
