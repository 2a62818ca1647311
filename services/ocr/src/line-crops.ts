// Batching of line crops for the recogniser and the classifier: sorted by aspect ratio so that
// a batch pads little, each crop sampled straight from its page into the batch tensor.
import { quadSize, sampleQuad, type Quad } from './quad.js';
import type { RgbImage } from './raster.js';

export interface LineCrop {
  readonly image: RgbImage;
  /** Already turned so that the text runs left to right. */
  readonly quad: Quad;
}

export interface CropBatch {
  /** Indices into the crops given to `cropBatches`, in batch order. */
  readonly indices: number[];
  readonly data: Float32Array;
  readonly dims: [number, 3, number, number];
}

export interface BatchShape {
  height: number;
  /** Least batch width; also the only width when `fixedWidth`. */
  minWidth: number;
  fixedWidth: boolean;
  batchSize: number;
}

export function cropAspect(quad: Quad): number {
  const { width, height } = quadSize(quad);
  return width / Math.max(1, height);
}

/** Yields batches one at a time, so only one batch tensor is alive. */
export function* cropBatches(crops: readonly LineCrop[], shape: BatchShape): Generator<CropBatch> {
  const aspects = crops.map((c) => cropAspect(c.quad));
  const order = crops.map((_, i) => i).sort((a, b) => aspects[a]! - aspects[b]!);
  for (let start = 0; start < order.length; start += shape.batchSize) {
    const indices = order.slice(start, start + shape.batchSize);
    const widest = Math.max(...indices.map((i) => Math.ceil(shape.height * aspects[i]!)));
    const width = shape.fixedWidth ? shape.minWidth : Math.max(shape.minWidth, widest);
    const per = 3 * shape.height * width;
    // zeros: PaddleOCR's padding (mid grey once normalised); white padding read worse on the corpus
    const data = new Float32Array(indices.length * per);
    indices.forEach((ci, n) => {
      const crop = crops[ci]!;
      const w = Math.max(1, Math.min(width, Math.ceil(shape.height * aspects[ci]!)));
      sampleQuad(crop.image, crop.quad, { tensor: data, offset: n * per, stride: width, height: shape.height, width: w, mean: 0.5, std: 0.5 });
    });
    yield { indices, data, dims: [indices.length, 3, shape.height, width] };
  }
}

