// Generated ONNX models for tests (written with @paperline/onnx-graph's model builder).
import { floatData, type OnnxDim, type OnnxGraph } from '@paperline/onnx-graph';

export { encodeOnnxModel, writeOnnxModel, floatData, type OnnxDim, type OnnxGraph, type OnnxNode, type OnnxInitializer, type OnnxValueInfo, type OnnxType } from '@paperline/onnx-graph';

export interface ScaleModelSpec {
  /** @default 'x' */
  input?: string;
  /** @default 'y' */
  output?: string;
  /** @default ['N', 4] */
  shape?: OnnxDim[];
  /** y = x * scale. @default 2 */
  scale?: number;
}

/** A tiny float model y = x * scale with the given names and shape: for IO plumbing tests. */
export function scaleModel(spec: ScaleModelSpec = {}): OnnxGraph {
  const shape = spec.shape ?? ['N', 4];
  const scale = floatData([spec.scale ?? 2]);
  return {
    inputs: [{ name: spec.input ?? 'x', type: 'float', shape }],
    outputs: [{ name: spec.output ?? 'y', type: 'float', shape }],
    nodes: [{ op: 'Mul', inputs: [spec.input ?? 'x', 'scale'], outputs: [spec.output ?? 'y'] }],
    initializers: [{ name: 'scale', type: 'float', dims: [], data: scale }],
  };
}

export interface LargeModelSpec {
  /** Size of the weight table; rounded down to whole rows. */
  bytes: number;
  /** Floats per row. @default 256 */
  rowWidth?: number;
  /** int64 [N] row indices. @default 'ids' */
  input?: string;
  /** float [N, rowWidth] rows. @default 'rows' */
  output?: string;
}

/**
 * A model whose weight table of `bytes` must stay resident: `rows = Gather(table, ids)`.
 * Gather depends on the input, so the runtime cannot fold the table away, and running it is cheap.
 * The table is filled with a non-zero pattern, so every page is really touched.
 */
export function largeModel(spec: LargeModelSpec): OnnxGraph {
  const width = spec.rowWidth ?? 256;
  const rows = Math.max(1, Math.floor(spec.bytes / (4 * width)));
  const table = new Float32Array(rows * width);
  for (let i = 0; i < table.length; i += 1) table[i] = (i % 251) / 251;
  const input = spec.input ?? 'ids';
  const output = spec.output ?? 'rows';
  return {
    inputs: [{ name: input, type: 'int64', shape: ['N'] }],
    outputs: [{ name: output, type: 'float', shape: ['N', width] }],
    nodes: [{ op: 'Gather', inputs: ['table', input], outputs: [output], attributes: { axis: 0 } }],
    initializers: [{ name: 'table', type: 'float', dims: [rows, width], data: new Uint8Array(table.buffer) }],
  };
}

export interface TableStructureModelSpec {
  /** Class index chosen at each step (the rest of the steps repeat the last one). */
  tokens: number[];
  /** Number of structure classes C (30 for SLANet, 50 for SLANet_plus). */
  classes: number;
  /** Decoding steps L. @default tokens.length + 2 */
  steps?: number;
  /** Cell box [8] of each step (normalised to the 488 frame); missing steps are zeros. */
  boxes: number[][];
  /**
   * Added to box coordinate k of every step: sum over planes p of weights[p][k] * mean of input plane p.
   * Lets a test see the preprocessing (channel order, normalisation, padding) in the decoded boxes.
   * @default zeros
   */
  planeWeights?: [number[], number[], number[]];
}

/**
 * A table structure model with SLANet's signature: x [1,3,488,488] in; cell boxes [1,L,8] and
 * structure probabilities [1,L,C] out (one-hot 0.9 on the chosen class). The boxes depend on
 * the input through the per-plane means, so preprocessing is checked, not only decoding.
 */
export function tableStructureModel(spec: TableStructureModelSpec): OnnxGraph {
  const steps = spec.steps ?? spec.tokens.length + 2;
  const probs = new Float32Array(steps * spec.classes).fill(0.1 / Math.max(1, spec.classes - 1));
  for (let s = 0; s < steps; s++) probs[s * spec.classes + (spec.tokens[Math.min(s, spec.tokens.length - 1)] ?? 0)] = 0.9;
  const boxes = new Float32Array(steps * 8);
  spec.boxes.forEach((box, s) => box.forEach((v, k) => (boxes[s * 8 + k] = v)));
  // W [3, L*8]: plane means -> per-step coordinate offsets
  const weights = new Float32Array(3 * steps * 8);
  for (let p = 0; p < 3; p++) for (let s = 0; s < steps; s++) for (let k = 0; k < 8; k++) weights[p * steps * 8 + s * 8 + k] = spec.planeWeights?.[p]?.[k] ?? 0;
  return {
    inputs: [{ name: 'x', type: 'float', shape: [1, 3, 488, 488] }],
    outputs: [
      { name: 'boxes', type: 'float', shape: [1, steps, 8] },
      { name: 'probs', type: 'float', shape: [1, steps, spec.classes] },
    ],
    nodes: [
      { op: 'ReduceMean', inputs: ['x'], outputs: ['means'], attributes: { axes: [2, 3], keepdims: 0 } },
      { op: 'MatMul', inputs: ['means', 'weights'], outputs: ['offsets'] },
      { op: 'Add', inputs: ['offsets', 'baseBoxes'], outputs: ['flatBoxes'] },
      { op: 'Reshape', inputs: ['flatBoxes', 'boxShape'], outputs: ['boxes'] },
      { op: 'Identity', inputs: ['structure'], outputs: ['probs'] },
    ],
    initializers: [
      { name: 'weights', type: 'float', dims: [3, steps * 8], data: floatData(weights) },
      { name: 'baseBoxes', type: 'float', dims: [1, steps * 8], data: floatData(boxes) },
      { name: 'boxShape', type: 'int64', dims: [3], data: new Uint8Array(BigInt64Array.from([1n, BigInt(steps), 8n]).buffer) },
      { name: 'structure', type: 'float', dims: [1, steps, spec.classes], data: floatData(probs) },
    ],
  };
}
