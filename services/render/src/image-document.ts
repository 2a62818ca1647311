// A page image (PNG, JPEG, WebP, TIFF incl. multi-page) opened with sharp. The header is read
// first and its size checked against the limit before any pixel is decoded; the raster is the
// image itself, EXIF rotation applied, as PNG.
import { PaperlineError } from '@paperline/contracts';
import sharp from 'sharp';
import type { SourceFormat } from './sniff.js';
import type { OpenedDocument, RenderedPage, RenderLimits } from './types.js';

/** A frame whose every channel varies less than this is one flat colour: blank, nothing to read. */
const BLANK_MAX_STDEV = 0.5;

export interface ImageOpenOptions {
  limits: RenderLimits;
  /** DPI reported for an image without a density of its own. */
  dpi: number;
}

export async function openImage(bytes: Uint8Array, format: SourceFormat, options: ImageOpenOptions): Promise<OpenedDocument> {
  let metadata: sharp.Metadata;
  try {
    // reads the header only
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new PaperlineError('CORRUPT_IMAGE', `cannot read the ${format} header: ${(error as Error).message}`, { cause: error });
  }
  const pages = metadata.pages ?? 1;
  const width = metadata.width ?? 0;
  const height = metadata.pageHeight ?? metadata.height ?? 0;
  if (width <= 0 || height <= 0) throw new PaperlineError('CORRUPT_IMAGE', `the ${format} header has no size`);
  if (width * height > options.limits.maxPixels) {
    throw new PaperlineError('IMAGE_TOO_LARGE', `${width}x${height} is ${width * height} pixels, the limit is ${options.limits.maxPixels}`);
  }
  if (pages > options.limits.maxPages) {
    throw new PaperlineError('TOO_MANY_PAGES', `${pages} frames, the limit is ${options.limits.maxPages}`);
  }
  // only multi-page TIFFs are documents of several pages; an animated WebP is one picture
  const pageCount = format === 'tiff' ? pages : 1;
  return new ImageDocument(bytes, format, pageCount, metadata.density, options);
}

class ImageDocument implements OpenedDocument {
  readonly kind = 'image' as const;

  constructor(
    private readonly bytes: Uint8Array,
    readonly format: SourceFormat,
    readonly pageCount: number,
    private readonly density: number | undefined,
    private readonly options: ImageOpenOptions,
  ) {}

  async *pages(pageNumbers: readonly number[]): AsyncIterable<RenderedPage> {
    for (const n of pageNumbers) yield await this.renderFrame(n - 1);
  }

  private async renderFrame(frame: number): Promise<RenderedPage> {
    let result: { data: Buffer; info: sharp.OutputInfo };
    let stats: sharp.Stats;
    try {
      const image = sharp(this.bytes, { page: frame, limitInputPixels: this.options.limits.maxPixels }).rotate();
      [result, stats] = await Promise.all([image.clone().png({ compressionLevel: 3 }).toBuffer({ resolveWithObject: true }), image.clone().stats()]);
    } catch (error) {
      const message = (error as Error).message;
      if (/pixel limit/i.test(message)) throw new PaperlineError('IMAGE_TOO_LARGE', message, { cause: error });
      throw new PaperlineError('CORRUPT_IMAGE', `frame ${frame}: ${message}`, { cause: error });
    }
    const page = {
      page: frame + 1,
      width: result.info.width,
      height: result.info.height,
      dpi: this.density && this.density >= 36 ? this.density : this.options.dpi,
      ...(this.pageCount > 1 ? { frame } : {}),
      textLayer: null,
    };
    if (stats.channels.every((channel) => channel.stdev <= BLANK_MAX_STDEV)) return { ...page, raster: null, blank: true };
    return { ...page, raster: new Uint8Array(result.data) };
  }

  async close(): Promise<void> {
    // nothing held: sharp frees each pipeline when it finishes
  }
}
