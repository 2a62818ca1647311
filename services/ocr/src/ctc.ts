// Greedy CTC decoding of the recogniser's softmax output.
import { readFile } from 'node:fs/promises';

export interface DecodedLine {
  text: string;
  /** Mean of the kept steps' maxima; 0 for an empty line. */
  confidence: number;
}

/**
 * Decodes item `n` of a [N,T,C] softmax: argmax per step, collapse repeats, drop blank (index 0).
 * `charset[i]` is the character of class i (charset[0] is the blank).
 */
export function ctcGreedyDecode(probs: Float32Array, n: number, steps: number, classes: number, charset: readonly string[]): DecodedLine {
  let text = '';
  let sum = 0;
  let kept = 0;
  let prev = -1;
  const base = n * steps * classes;
  for (let t = 0; t < steps; t++) {
    const row = base + t * classes;
    let best = 0;
    let bestP = probs[row]!;
    for (let c = 1; c < classes; c++) {
      const p = probs[row + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== prev) {
      text += charset[best] ?? '';
      sum += bestP;
      kept++;
    }
    prev = best;
  }
  return { text, confidence: kept > 0 ? sum / kept : 0 };
}

/** ['<blank>', ...the dictionary's lines, ' ']: PaddleOCR's class order with use_space_char. */
export async function loadCharset(path: string): Promise<string[]> {
  const lines = (await readFile(path, 'utf8')).split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return ['<blank>', ...lines, ' '];
}
