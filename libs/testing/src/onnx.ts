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
