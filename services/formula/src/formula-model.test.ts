import { ThreadSessionFactory, type RemoteSession } from '@paperline/models';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { FORMULA_MEAN, FORMULA_STD, FormulaRecognizer, formulaInput, formulaVariant, loadFormulaTokenizer } from './formula-model.js';

import { installGeneratedFormulaModel } from '../test/generated-model.js';

const factory = new ThreadSessionFactory();
afterAll(() => factory.close());

async function recognizer(maxTokens?: number) {
  const { manifest } = installGeneratedFormulaModel();
  const variant = formulaVariant(manifest, 'pp-formulanet-s');
  const sessions = new Map<string, RemoteSession>();
  for (const id of [variant.encoder, variant.decoder]) sessions.set(id, await factory.create([manifest.resolveFile(manifest.get(id).files[0]!)], 'cpu'));
  let held = 0;
  const models = {
    acquire: async (id: string) => {
      held += 1;
      return { model: id, device: 'cpu', session: sessions.get(id)!, release: () => void (held -= 1) };
    },
  };
  return { recognizer: new FormulaRecognizer(models, variant, await loadFormulaTokenizer(manifest, variant.decoder), maxTokens), held: () => held };
}

const crop = (grey: number, width = 40, height = 10) => sharp({ create: { width, height, channels: 3, background: { r: grey, g: grey, b: grey } } }).png().toBuffer();

describe('PP-FormulaNet backend (generated encoder, decoder and tokenizer)', () => {
  it('decodes greedily from bos to eos and detokenises the byte-level BPE ids', async () => {
    const { recognizer: r, held } = await recognizer();
    // white is the encoder's mean 1.19 after normalisation: the first token is \sqrt
    expect(await r.recognize(await crop(255))).toBe('\\sqrt{x} +y');
    expect(await r.recognize(await crop(0))).toBe('\\frac{x} +y');
    expect(held()).toBe(0);
  });

  it('stops at the token limit', async () => {
    const { recognizer: r } = await recognizer(3);
    expect(await r.recognize(await crop(255))).toBe('\\sqrt{x');
  });

  it('fits the crop into the square keeping its ratio, padded white at the top left, normalised', async () => {
    const input = await formulaInput(await crop(0, 32, 8), 8);
    const white = (1 - FORMULA_MEAN) / FORMULA_STD;
    const black = (0 - FORMULA_MEAN) / FORMULA_STD;
    // 32x8 into 8x8: the top two rows are the (black) crop, the rest white padding
    expect([...input.slice(0, 16)].every((v) => Math.abs(v - black) < 1e-5)).toBe(true);
    expect([...input.slice(16)].every((v) => Math.abs(v - white) < 1e-5)).toBe(true);
  });
});
