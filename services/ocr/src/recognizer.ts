// Text recognition (CTC): line crops from any number of pages, batched by width.
import { ctcGreedyDecode, type DecodedLine } from './ctc.js';
import { cropBatches, type LineCrop } from './line-crops.js';
import { tensor, type LoadedModel } from './model-loader.js';

export interface RecognizerOptions {
  /** Crops per inference. @default 8 */
  batchSize?: number;
  /** Least batch width in pixels at height 48. @default 320 */
  minWidth?: number;
  /** Most padded width per inference (crops x batch width), see `BatchShape.maxBatchWidth`. @default 2560 */
  maxBatchWidth?: number;
}

export const DEFAULT_REC_BATCH = 8;
export const DEFAULT_REC_MIN_WIDTH = 320;
export const DEFAULT_REC_MAX_BATCH_WIDTH = 2560;
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
      maxBatchWidth: this.options.maxBatchWidth ?? DEFAULT_REC_MAX_BATCH_WIDTH,
    };
    // the next batch is sampled here while the inference thread runs the previous one
    let running: Promise<void> | undefined;
    const scores = this.model.outputNames[0] ?? '';
    for (const batch of cropBatches(crops, shape)) {
      // [N, T, classes] scores are reduced to their per-step maxima in the inference thread
      const run = this.model.run({ x: tensor(batch.data, batch.dims) }, { maxOverLastAxis: [scores] }).then((out) => {
        const best = out[`${scores}.argmax`];
        const bestScore = out[`${scores}.max`];
        if (!best || !bestScore) throw new Error(`the recogniser returned no ${scores} maxima`);
        const steps = best.dims[1] ?? 0;
        batch.indices.forEach((ci, n) => {
          results[ci] = ctcGreedyDecode(best.data as Int32Array, bestScore.data as Float32Array, n, steps, this.charset);
        });
      });
      // awaited next round; until then a failure must not count as unhandled
      run.catch(() => undefined);
      await running;
      running = run;
    }
    await running;
    return results;
  }
}
