// Text recognition (CTC): line crops from any number of pages, batched by width.
import { ctcGreedyDecode, type DecodedLine } from './ctc.js';
import { cropBatches, type LineCrop } from './line-crops.js';
import { tensor, type LoadedModel } from './model-loader.js';

export interface RecognizerOptions {
  /** Crops per inference. @default 8 */
  batchSize?: number;
  /** Least batch width in pixels at height 48. @default 320 */
  minWidth?: number;
}

export const DEFAULT_REC_BATCH = 8;
export const DEFAULT_REC_MIN_WIDTH = 320;
export const REC_HEIGHT = 48;

export class TextRecognizer {
  constructor(
    private readonly model: LoadedModel,
    /** '<blank>', the dictionary, ' ' (see `loadCharset`). */
    private readonly charset: readonly string[],
    private readonly options: RecognizerOptions = {},
  ) {}

  /** One decoded line per crop, in the crops' order. */
  async recognize(crops: readonly LineCrop[]): Promise<DecodedLine[]> {
    const results: DecodedLine[] = new Array<DecodedLine>(crops.length);
    const shape = {
      height: REC_HEIGHT,
      minWidth: this.options.minWidth ?? DEFAULT_REC_MIN_WIDTH,
      fixedWidth: false,
      batchSize: this.options.batchSize ?? DEFAULT_REC_BATCH,
    };
    for (const batch of cropBatches(crops, shape)) {
      const out = await this.model.run({ x: tensor(batch.data, batch.dims) });
      const probs = Object.values(out)[0];
      if (!probs) continue;
      const [, steps, classes] = probs.dims as [number, number, number];
      batch.indices.forEach((ci, n) => {
        results[ci] = ctcGreedyDecode(probs.data as Float32Array, n, steps, classes, this.charset);
      });
    }
    return results;
  }
}
