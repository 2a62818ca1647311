// The PP-OCR models from npm, loaded as published and after @paperline/onnx-graph's
// simplification (the default): the same outputs, from a graph with far fewer nodes.
import { readFile } from 'node:fs/promises';
import { DEFAULT_MANIFEST_PATH, Manifest, OnnxSessionFactory } from '@paperline/models';
import { decodeModel, simplifyForInference } from '@paperline/onnx-graph';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';

const CASES = [
  // operators (not counting Constant) after / before: measured 196/330, 291/440, 185/221, 265/414
  { model: 'ppocr-det-ch-v4', dims: [1, 3, 320, 480], fewerNodes: 0.65 },
  { model: 'ppocr-rec-ch-v4', dims: [2, 3, 48, 320], fewerNodes: 0.7 },
  { model: 'ppocr-cls-ch-v2', dims: [4, 3, 48, 192], fewerNodes: 0.9 },
  { model: 'ppocr-rec-en-v4', dims: [2, 3, 48, 320], fewerNodes: 0.7 },
  // already written with HardSwish and BatchNormalization: nothing to simplify
  { model: 'ppocr-det-en-v3', dims: [1, 3, 320, 480], fewerNodes: 1 },
];

const operators = (model: Uint8Array) => decodeModel(model).graph.nodes.filter((n) => n.opType !== 'Constant').length;

function pseudoImage(dims: number[]): ort.Tensor {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  let state = 12345;
  for (let i = 0; i < data.length; i += 1) {
    state = (state * 1664525 + 1013904223) >>> 0;
    data[i] = state / 2 ** 31 - 1;
  }
  return new ort.Tensor('float32', data, dims);
}

async function outputOf(factory: OnnxSessionFactory, files: string[], input: ort.Tensor): Promise<Float32Array> {
  const session = await factory.create(files, 'cpu');
  try {
    const out = await session.run({ [session.inputNames[0]!]: input });
    return out[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await factory.release(session);
  }
}

describe('simplified PP-OCR models', async () => {
  const manifest = await Manifest.load(DEFAULT_MANIFEST_PATH);
  const asPublished = new OnnxSessionFactory({ simplifyGraph: false });
  const simplified = new OnnxSessionFactory();

  for (const c of CASES) {
    it(`${c.model}: same outputs, ${c.fewerNodes < 1 ? 'fewer nodes' : 'unchanged'}`, async () => {
      const files = await manifest.resolveFiles(manifest.get(c.model));
      const published = await readFile(files[0]!);
      const result = simplifyForInference(published);
      if (c.fewerNodes < 1) expect(operators(result.bytes)).toBeLessThan(operators(published) * c.fewerNodes);
      else expect(result.changed).toBe(false);

      const input = pseudoImage(c.dims);
      const [expected, actual] = [await outputOf(asPublished, files, input), await outputOf(simplified, files, input)];
      expect(actual).toHaveLength(expected.length);
      let worst = 0;
      for (let i = 0; i < expected.length; i += 1) worst = Math.max(worst, Math.abs(expected[i]! - actual[i]!));
      // probabilities and maps in [0, 1]: float rounding only
      expect(worst).toBeLessThan(1e-4);
    });
  }
});
