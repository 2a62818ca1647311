// Text-line orientation (0 or 180 degrees): turns upside-down line quads the right way up.
import { cropBatches, type LineCrop } from './line-crops.js';
import { tensor, type LoadedModel } from './model-loader.js';
import { rotateQuad180, type Quad } from './quad.js';

export interface ClassifierOptions {
  /** Class 180 must win with at least this probability. @default 0.9 */
  threshold?: number;
  /** @default 16 */
  batchSize?: number;
}

export const DEFAULT_CLS_THRESHOLD = 0.9;
export const DEFAULT_CLS_BATCH = 16;

export class TextClassifier {
  constructor(
    private readonly model: LoadedModel,
    private readonly options: ClassifierOptions = {},
  ) {}

  /** The quads of `crops`, each turned 180 degrees where the model says it is upside down. */
  async orient(crops: readonly LineCrop[]): Promise<Quad[]> {
    const threshold = this.options.threshold ?? DEFAULT_CLS_THRESHOLD;
    const quads = crops.map((c) => c.quad);
    const shape = { height: 48, minWidth: 192, fixedWidth: true, batchSize: this.options.batchSize ?? DEFAULT_CLS_BATCH };
    for (const batch of cropBatches(crops, shape)) {
      const out = await this.model.run({ x: tensor(batch.data, batch.dims) });
      const probs = Object.values(out)[0]?.data as Float32Array | undefined;
      if (!probs) continue;
      batch.indices.forEach((ci, n) => {
        if (probs[n * 2 + 1]! > threshold) quads[ci] = rotateQuad180(quads[ci]!);
      });
    }
    return quads;
  }
}
