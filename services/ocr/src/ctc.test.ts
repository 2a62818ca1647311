import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withMaxOverLastAxis } from '@paperline/models';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ctcGreedyDecode as decodeMaxima, loadCharset } from './ctc.js';

/** Decodes item n of a [N,T,C] softmax the way the recogniser does: maxima from the inference thread's reduction. */
function ctcGreedyDecode(probs: Float32Array, n: number, steps: number, classes: number, charset: readonly string[]) {
  const out = withMaxOverLastAxis({ y: new ort.Tensor('float32', probs, [probs.length / (steps * classes), steps, classes]) }, ['y']);
  return decodeMaxima(out['y.argmax']!.data as Int32Array, out['y.max']!.data as Float32Array, n, steps, charset);
}

/** A [N,T,C] softmax where step t puts probability p on class seq[t] and the rest evenly elsewhere. */
function probs(seqs: number[][], classes: number, p = 0.9): Float32Array {
  const steps = seqs[0]!.length;
  const out = new Float32Array(seqs.length * steps * classes);
  seqs.forEach((seq, n) =>
    seq.forEach((c, t) => {
      const row = (n * steps + t) * classes;
      for (let k = 0; k < classes; k++) out[row + k] = k === c ? p : (1 - p) / (classes - 1);
    }),
  );
  return out;
}

describe('ctcGreedyDecode', () => {
  const charset = ['<blank>', 'a', 'b', 'c', ' '];

  it('collapses repeats, drops blanks and keeps a letter repeated across a blank', () => {
    const data = probs([[1, 1, 0, 2, 2, 2, 0, 2, 4, 3, 0, 0]], 5);
    expect(ctcGreedyDecode(data, 0, 12, 5, charset)).toEqual({ text: 'abb c', confidence: expect.closeTo(0.9, 5) as number });
  });

  it('decodes the n-th item of a batch and gives 0 confidence to an empty line', () => {
    const data = probs(
      [
        [0, 0, 0],
        [3, 0, 1],
      ],
      5,
    );
    expect(ctcGreedyDecode(data, 0, 3, 5, charset)).toEqual({ text: '', confidence: 0 });
    expect(ctcGreedyDecode(data, 1, 3, 5, charset).text).toBe('ca');
  });

  it('confidence is the mean of the kept maxima', () => {
    const data = probs([[1, 2]], 5);
    data[0 * 5 + 1] = 0.5;
    expect(ctcGreedyDecode(data, 0, 2, 5, charset).confidence).toBeCloseTo(0.7, 5);
  });
});

describe('loadCharset', () => {
  it('puts the blank first and a space last, with or without a trailing newline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pl-ocr-'));
    await writeFile(join(dir, 'a.txt'), 'x\ny\n \n');
    await writeFile(join(dir, 'b.txt'), '中\r\n文');
    expect(await loadCharset(join(dir, 'a.txt'))).toEqual(['<blank>', 'x', 'y', ' ', ' ']);
    expect(await loadCharset(join(dir, 'b.txt'))).toEqual(['<blank>', '中', '文', ' ']);
  });
});
