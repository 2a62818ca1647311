// The PP-FormulaNet / UniMERNet backend: a formula crop to LaTeX with an encoder-decoder pair.
// The crop is made grayscale, fitted into the encoder's square input keeping its aspect ratio
// (padded with white, at the top left), scaled to [0, 1] and normalised (mean 0.7931, std 0.1738);
// the decoder then runs greedily from bos (0) until eos (2), each step on the whole prefix, with
// the arg-max of the last step's logits computed in the inference thread. The tokenizer shipped
// beside the decoder (tokenizer.json, Nougat/UniMERNet family) turns the ids back into LaTeX.
import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { PaperlineError } from '@paperline/contracts';
import type { InferenceRunner, Manifest, ModelHandle, ModelSpec } from '@paperline/models';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

export const FORMULA_MEAN = 0.7931;
export const FORMULA_STD = 0.1738;
export const FORMULA_TOKENS = { bos: 0, pad: 1, eos: 2, unk: 3 } as const;
/** Longest formula decoded, in tokens. @default 1024 */
export const DEFAULT_MAX_TOKENS = 1024;

/** What the recogniser needs of the stage's ModelManager. */
export interface FormulaModelSource {
  acquire(modelId: string): Promise<ModelHandle<InferenceRunner>>;
}

export interface FormulaVariant {
  encoder: string;
  decoder: string;
  /** Side of the encoder's square input. */
  size: number;
}

/** The encoder entry names its decoder (io.decoder) and its input size (io.inputs[0].shape). */
export function formulaVariant(manifest: Manifest, encoderId: string): FormulaVariant {
  const spec: ModelSpec = manifest.get(encoderId);
  const io = spec.io as { decoder?: unknown; inputs?: Array<{ shape?: unknown[] }> };
  const size = io.inputs?.[0]?.shape?.[2];
  if (typeof io.decoder !== 'string' || typeof size !== 'number') {
    throw new PaperlineError('MODEL_UNAVAILABLE', `manifest entry ${encoderId} does not describe a formula encoder (io.decoder and a [1,1,S,S] input)`);
  }
  manifest.get(io.decoder);
  return { encoder: encoderId, decoder: io.decoder, size };
}

/** The tokenizer.json listed with the decoder entry. */
export async function loadFormulaTokenizer(manifest: Manifest, decoderId: string): Promise<Tokenizer> {
  const file = manifest.get(decoderId).files.find((f) => f.path.endsWith('tokenizer.json'));
  if (!file) throw new PaperlineError('MODEL_UNAVAILABLE', `manifest entry ${decoderId} lists no tokenizer.json`);
  return new Tokenizer(JSON.parse(await readFile(manifest.resolveFile(file), 'utf8')), {});
}

/** An encoded crop to the encoder's [1, 1, size, size] input. */
export async function formulaInput(crop: Uint8Array, size: number): Promise<Float32Array> {
  const pixels = await sharp(crop)
    .flatten({ background: '#ffffff' })
    .grayscale()
    .resize(size, size, { fit: 'contain', position: 'left top', background: '#ffffff', kernel: 'linear' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  const out = new Float32Array(size * size);
  for (let i = 0; i < out.length; i++) out[i] = (pixels[i]! / 255 - FORMULA_MEAN) / FORMULA_STD;
  return out;
}

export class FormulaRecognizer {
  constructor(
    private readonly models: FormulaModelSource,
    readonly variant: FormulaVariant,
    private readonly tokenizer: Tokenizer,
    private readonly maxTokens = DEFAULT_MAX_TOKENS,
  ) {}

  async recognize(crop: Uint8Array): Promise<string> {
    const { size } = this.variant;
    const pixels = new ort.Tensor('float32', await formulaInput(crop, size), [1, 1, size, size]);
    const encoder = await this.models.acquire(this.variant.encoder);
    let hidden: ort.Tensor;
    try {
      const inputName = encoder.session.inputNames[0]!;
      hidden = (await encoder.session.run({ [inputName]: pixels }))[encoder.session.outputNames[0]!]!;
    } finally {
      encoder.release();
    }
    const decoder = await this.models.acquire(this.variant.decoder);
    const ids: bigint[] = [BigInt(FORMULA_TOKENS.bos)];
    try {
      const { inputNames, outputNames } = decoder.session;
      const idsName = inputNames.find((n) => n === 'input_ids') ?? inputNames[0]!;
      const hiddenName = inputNames.find((n) => n !== idsName)!;
      const logits = outputNames[0]!;
      while (ids.length <= this.maxTokens) {
        // tensors move to the inference thread: the encoder's output is sent afresh each step
        const states = new ort.Tensor('float32', (hidden.data as Float32Array).slice(), hidden.dims);
        const feeds = { [idsName]: new ort.Tensor('int64', BigInt64Array.from(ids), [1, ids.length]), [hiddenName]: states };
        const out = await decoder.session.run(feeds, { maxOverLastAxis: [logits] });
        const argmax = out[`${logits}.argmax`]!.data as Int32Array;
        const next = argmax[argmax.length - 1]!;
        if (next === FORMULA_TOKENS.eos) break;
        ids.push(BigInt(next));
      }
    } finally {
      decoder.release();
    }
    return this.tokenizer
      .decode(ids.map(Number), { skip_special_tokens: true })
      .replace(/\s+/g, ' ')
      .trim();
  }
}
