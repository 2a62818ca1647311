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

export interface DocLayoutModelSpec {
  architecture: 'picodet-gfl' | 'rt-detr';
  /** Network input size. */
  height: number;
  width: number;
}

/**
 * A model with PP-DocLayout's signature (inputs `image` [1,3,H,W], `scale_factor` [1,2] and, for
 * RT-DETR, `im_shape` [1,2]; outputs [3,6] rows and a count of 2) whose rows show what it was fed:
 * - row 0, class 2 (text), score 0.95: the network-input box [W/4, H/8, 3W/4, 3H/8] divided by
 *   [sw, sh, sw, sh] from scale_factor = [sh, sw], as a real export maps boxes back;
 * - row 1, class 8 (table), score 0.6: [100 + 10 m0, 100 + 10 m1, 200 + 10 m2, 150 + imH], where
 *   m0..m2 are the means of the three input planes and imH is im_shape[0] (0 without im_shape);
 * - row 2, class 11, score 0.99: past the count, so a decoder must ignore it.
 */
export function docLayoutModel(spec: DocLayoutModelSpec): OnnxGraph {
  const { height: h, width: w } = spec;
  const rtDetr = spec.architecture === 'rt-detr';
  const f = (name: string, dims: number[], values: number[]) => ({ name, type: 'float' as const, dims, data: floatData(values) });
  const nodes: OnnxGraph['nodes'] = [
    { op: 'ReduceMean', inputs: ['image'], outputs: ['means'], attributes: { axes: [2, 3], keepdims: 0 } },
    { op: 'MatMul', inputs: ['means', 'planesToBox'], outputs: ['meanTerms'] },
    { op: 'Add', inputs: ['meanTerms', 'offsets'], outputs: rtDetr ? ['rowNoShape'] : ['row1'] },
    { op: 'MatMul', inputs: ['scale_factor', 'spread'], outputs: ['scales'] },
    { op: 'Div', inputs: ['netBox', 'scales'], outputs: ['row0'] },
    { op: 'Concat', inputs: ['row0', 'row1', 'row2'], outputs: ['boxes'], attributes: { axis: 0 } },
    { op: 'Concat', inputs: ['heads', 'boxes'], outputs: ['dets'], attributes: { axis: 1 } },
    { op: 'Identity', inputs: ['countValue'], outputs: ['count'] },
  ];
  if (rtDetr) {
    nodes.push({ op: 'MatMul', inputs: ['im_shape', 'heightToY2'], outputs: ['shapeTerm'] }, { op: 'Add', inputs: ['rowNoShape', 'shapeTerm'], outputs: ['row1'] });
  }
  return {
    inputs: [
      { name: 'image', type: 'float', shape: [1, 3, h, w] },
      ...(rtDetr ? [{ name: 'im_shape', type: 'float' as const, shape: [1, 2] }] : []),
      { name: 'scale_factor', type: 'float', shape: [1, 2] },
    ],
    outputs: [
      { name: 'dets', type: 'float', shape: [3, 6] },
      { name: 'count', type: 'int64', shape: [1] },
    ],
    nodes,
    initializers: [
      f('planesToBox', [3, 4], [10, 0, 0, 0, 0, 10, 0, 0, 0, 0, 10, 0]),
      f('offsets', [1, 4], [100, 100, 200, 150]),
      f('spread', [2, 4], [0, 1, 0, 1, 1, 0, 1, 0]),
      f('netBox', [1, 4], [w / 4, h / 8, (3 * w) / 4, (3 * h) / 8]),
      f('row2', [1, 4], [1, 1, 50, 50]),
      f('heads', [3, 2], [2, 0.95, 8, 0.6, 11, 0.99]),
      ...(rtDetr ? [f('heightToY2', [2, 4], [0, 0, 0, 1, 0, 0, 0, 0])] : []),
      { name: 'countValue', type: 'int64', dims: [1], data: new Uint8Array(BigInt64Array.from([2n]).buffer) },
    ],
  };
}
