// A generated PP-FormulaNet-S (encoder, decoder, tokenizer) in a models dir, with a manifest that
// names its files as the repository's entries do.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Manifest } from '@paperline/models';
import { formulaDecoderModel, formulaEncoderModel, formulaTokenizerJson, writeOnnxModel } from '@paperline/testing';

// ids 4.. of the generated tokenizer
const TOKENS = ['\\frac', '{', 'x', '}', 'Ġ+', 'y', '\\sqrt'];
const [FRAC, OPEN, X, CLOSE, PLUS, Y, SQRT] = [4, 5, 6, 7, 8, 9, 10];
const SIZE = 16;

/** A models dir with a generated encoder, decoder and tokenizer, and a manifest naming them as the real entries do. */
export function installGeneratedFormulaModel(): { dir: string; manifestPath: string; manifest: Manifest } {
  const dir = mkdtempSync(join(tmpdir(), 'pl-formula-models-'));
  mkdirSync(join(dir, 'formula/PP-FormulaNet-S'), { recursive: true });
  writeOnnxModel(join(dir, 'formula/PP-FormulaNet-S/encoder.onnx'), formulaEncoderModel(SIZE));
  // a white crop (encoder mean 1.19 > 1.1) starts with \sqrt, a dark one with \frac
  writeOnnxModel(join(dir, 'formula/PP-FormulaNet-S/decoder.onnx'), formulaDecoderModel({ steps: [FRAC, OPEN, X, CLOSE, PLUS, Y, 2], vocabSize: 11, bright: { token: SQRT, threshold: 1.1 } }));
  writeFileSync(join(dir, 'formula/PP-FormulaNet-S/tokenizer.json'), JSON.stringify(formulaTokenizerJson(TOKENS)));
  const entry = (id: string, files: string[], io: Record<string, unknown>) => ({ id, stage: 'formula', task: 't', files: files.map((path) => ({ path })), license: 'Apache-2.0', source: 'generated', io, memoryEstimateBytes: 1_000_000 });
  const manifest = {
    models: [
      entry('pp-formulanet-s', ['formula/PP-FormulaNet-S/encoder.onnx'], { decoder: 'pp-formulanet-s-decoder', inputs: [{ name: 'pixel_values', shape: [1, 1, SIZE, SIZE] }] }),
      entry('pp-formulanet-s-decoder', ['formula/PP-FormulaNet-S/decoder.onnx', 'formula/PP-FormulaNet-S/tokenizer.json'], { encoder: 'pp-formulanet-s' }),
    ],
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return { dir, manifestPath: join(dir, 'manifest.json'), manifest: Manifest.from(manifest, { modelsDir: dir }) };
}

