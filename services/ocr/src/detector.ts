// Text detection (DBNet): the whole image in one inference, boxes back in image pixels.
import { boxesFromProbabilityMap, type DbOptions, type DetectedBox } from './det-postprocess.js';
import { tensor, type LoadedModel } from './model-loader.js';
import { quadSize } from './quad.js';
import { resizeRgb, type RgbImage } from './raster.js';

export interface DetectorOptions extends DbOptions {
  /** The longer side is scaled down to at most this (then each side rounded to a multiple of 32). @default 960 */
  limitSide?: number;
  /**
   * When the median text height in the detector's input is under this many pixels (small print,
   * a newspaper), detect again at a scale that brings it to `targetTextHeight`, up to the
   * image's own size. 0 turns the second pass off. @default 12
   */
  minTextHeight?: number;
  /** @default 16 */
  targetTextHeight?: number;
}

export const DEFAULT_LIMIT_SIDE = 960;
export const DEFAULT_MIN_TEXT_HEIGHT = 12;
export const DEFAULT_TARGET_TEXT_HEIGHT = 16;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

export class TextDetector {
  constructor(
    private readonly model: LoadedModel,
    private readonly options: DetectorOptions = {},
  ) {}

  async detect(image: RgbImage, options: DetectorOptions = {}): Promise<DetectedBox[]> {
    const opts = { ...this.options, ...options };
    const limit = opts.limitSide ?? DEFAULT_LIMIT_SIDE;
    const ratio = Math.max(image.width, image.height) > limit ? limit / Math.max(image.width, image.height) : 1;
    const boxes = await this.detectAt(image, ratio, opts);
    const minHeight = opts.minTextHeight ?? DEFAULT_MIN_TEXT_HEIGHT;
    if (ratio >= 1 || minHeight <= 0 || boxes.length === 0) return boxes;
    const heights = boxes.map((b) => quadSize(b.quad).height * ratio).sort((a, b) => a - b);
    const medianHeight = heights[heights.length >> 1]!;
    if (medianHeight >= minHeight) return boxes;
    const target = opts.targetTextHeight ?? DEFAULT_TARGET_TEXT_HEIGHT;
    return this.detectAt(image, Math.min(1, (ratio * target) / medianHeight), opts);
  }

  private async detectAt(image: RgbImage, ratio: number, opts: DetectorOptions): Promise<DetectedBox[]> {
    const width = Math.max(32, Math.round((image.width * ratio) / 32) * 32);
    const height = Math.max(32, Math.round((image.height * ratio) / 32) * 32);
    const resized = await resizeRgb(image, width, height);
    const input = toDetTensor(resized);
    const out = await this.model.run({ x: tensor(input, [1, 3, height, width]) });
    const prob = Object.values(out)[0];
    if (!prob) return [];
    const [, , mh, mw] = prob.dims as number[];
    return boxesFromProbabilityMap(
      prob.data as Float32Array,
      mw ?? width,
      mh ?? height,
      { scaleX: image.width / (mw ?? width), scaleY: image.height / (mh ?? height), origWidth: image.width, origHeight: image.height },
      opts,
    );
  }
}

/** BGR planes, (px/255 - mean)/std with the means and stds applied to B, G, R in that order. */
function toDetTensor(image: RgbImage): Float32Array {
  const { data, width, height } = image;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  const s0 = 1 / (255 * STD[0]!);
  const s1 = 1 / (255 * STD[1]!);
  const s2 = 1 / (255 * STD[2]!);
  const b0 = MEAN[0]! / STD[0]!;
  const b1 = MEAN[1]! / STD[1]!;
  const b2 = MEAN[2]! / STD[2]!;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[i] = data[p + 2]! * s0 - b0;
    out[i + plane] = data[p + 1]! * s1 - b1;
    out[i + 2 * plane] = data[p]! * s2 - b2;
  }
  return out;
}
