// Batching of line crops for the recogniser and the classifier: sorted by aspect ratio so that
// a batch pads little, each crop sampled straight from its page into the batch tensor. Crops of
// different groups (pages, regions) never share a batch: a crop's padding and its batch
// neighbours then depend on its own page alone, so a page reads the same, byte for byte, whatever
// else is read with it (padding changes what the recogniser reads: 出现 against 出却).
import { quadSize, sampleQuad, type Quad } from './quad.js';
import type { RgbImage } from './raster.js';

export interface LineCrop {
  readonly image: RgbImage;
  /** Already turned so that the text runs left to right. */
  readonly quad: Quad;
  /** Crops batched only with crops of the same group (the page or region they come from). @default 0 */
  readonly group?: number;
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
  /**
   * Most padded pixels of width in one batch (crops x batch width): wide lines go in smaller
   * batches, so no inference allocates the huge intermediate tensors that made a batch of 8
   * 2,560-px lines five times slower per line than the same lines one at a time.
   * @default unlimited
   */
  maxBatchWidth?: number;
}

export function cropAspect(quad: Quad): number {
  const { width, height } = quadSize(quad);
  return width / Math.max(1, height);
}

/** Yields batches one at a time, so only one batch tensor is alive. */
export function* cropBatches(crops: readonly LineCrop[], shape: BatchShape): Generator<CropBatch> {
  const aspects = crops.map((c) => cropAspect(c.quad));
  const groupOf = (i: number) => crops[i]!.group ?? 0;
  const order = crops.map((_, i) => i).sort((a, b) => groupOf(a) - groupOf(b) || aspects[a]! - aspects[b]!);
  const widthOf = (i: number) => (shape.fixedWidth ? shape.minWidth : Math.max(shape.minWidth, Math.ceil(shape.height * aspects[i]!)));
  const maxBatchWidth = shape.maxBatchWidth ?? Infinity;
  let start = 0;
  while (start < order.length) {
    // ascending aspect within a group: the last crop taken sets the batch's width
    let end = start + 1;
    const group = groupOf(order[start]!);
    while (
      end < order.length &&
      end - start < shape.batchSize &&
      groupOf(order[end]!) === group &&
      (end - start + 1) * widthOf(order[end]!) <= maxBatchWidth
    )
      end++;
    const indices = order.slice(start, end);
    start = end;
    const width = widthOf(indices[indices.length - 1]!);
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
