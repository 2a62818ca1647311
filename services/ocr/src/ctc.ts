// Greedy CTC decoding of the recogniser's softmax output.
import { readFile } from 'node:fs/promises';

export interface DecodedLine {
  text: string;
  /** Mean of the kept steps' maxima; 0 for an empty line. */
  confidence: number;
}

/**
 * Decodes item `n` of a batch from its per-step best class and that class's probability
 * ([N, T] each, the argmax and max of the [N, T, C] softmax): collapse repeats, drop the blank
 * (class 0). `charset[i]` is the character of class i (charset[0] is the blank).
 */
export function ctcGreedyDecode(best: Int32Array, bestProbability: Float32Array, n: number, steps: number, charset: readonly string[]): DecodedLine {
  let text = '';
  let sum = 0;
  let kept = 0;
  let prev = -1;
  for (let t = n * steps; t < (n + 1) * steps; t++) {
    const c = best[t]!;
    if (c !== 0 && c !== prev) {
      text += charset[c] ?? '';
      sum += bestProbability[t]!;
      kept++;
    }
    prev = c;
  }
  return { text, confidence: kept > 0 ? sum / kept : 0 };
}

/** ['<blank>', ...the dictionary's lines, ' ']: PaddleOCR's class order with use_space_char. */
export async function loadCharset(path: string): Promise<string[]> {
  const lines = (await readFile(path, 'utf8')).split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return ['<blank>', ...lines, ' '];
}
