// Real ONNX model files written from TypeScript: the protobuf wire format is simple enough to
// encode by hand, so tests get models with chosen names, shapes and initializer sizes (and thus
// known memory footprints) without a Python toolchain or a model download.
import { closeSync, openSync, writeSync } from 'node:fs';

/** ONNX TensorProto.DataType values used here. */
export const OnnxTypes = { float: 1, int64: 7 } as const;
export type OnnxType = keyof typeof OnnxTypes;

/** A dimension is a fixed size or a symbolic name (e.g. 'N' for the batch). */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  type: OnnxType;
  shape: OnnxDim[];
}

export interface OnnxInitializer {
  name: string;
  type: OnnxType;
  dims: number[];
  /** Raw little-endian data; its length must match dims and type. */
  data: Uint8Array;
}

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, number>;
}

export interface OnnxGraph {
  name?: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  nodes: OnnxNode[];
  initializers?: OnnxInitializer[];
  /** @default 13 */
  opset?: number;
}

/** A protobuf fragment: chunks plus their total length, so large initializers are never copied. */
interface Chunks {
  parts: Uint8Array[];
  length: number;
}

const DEFAULT_OPSET = 13;
const IR_VERSION = 8;

function varint(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  if (v < 0n) v = BigInt.asUintN(64, v);
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0n);
  return Uint8Array.from(bytes);
}

function chunks(...parts: Array<Chunks | Uint8Array>): Chunks {
  const out: Chunks = { parts: [], length: 0 };
  for (const part of parts) {
    if (part instanceof Uint8Array) {
      out.parts.push(part);
      out.length += part.length;
    } else {
      out.parts.push(...part.parts);
      out.length += part.length;
    }
  }
  return out;
}

const tag = (field: number, wire: 0 | 2) => varint((field << 3) | wire);
const intField = (field: number, value: number) => chunks(tag(field, 0), varint(value));
const bytesField = (field: number, body: Chunks | Uint8Array) => {
  const length = body instanceof Uint8Array ? body.length : body.length;
  return chunks(tag(field, 2), varint(length), body);
};
const stringField = (field: number, value: string) => bytesField(field, new TextEncoder().encode(value));

function valueInfo(info: OnnxValueInfo): Chunks {
  const dims = info.shape.map((d) => bytesField(1, typeof d === 'number' ? intField(1, d) : stringField(2, d)));
  const shape = chunks(...dims);
  const tensorType = chunks(intField(1, OnnxTypes[info.type]), bytesField(2, shape));
  return chunks(stringField(1, info.name), bytesField(2, bytesField(1, tensorType)));
}

function tensor(init: OnnxInitializer): Chunks {
  const dims = chunks(...init.dims.map((d) => intField(1, d)));
  return chunks(dims, intField(2, OnnxTypes[init.type]), stringField(8, init.name), bytesField(9, init.data));
}

function node(n: OnnxNode, index: number): Chunks {
  const parts = [...n.inputs.map((i) => stringField(1, i)), ...n.outputs.map((o) => stringField(2, o))];
  parts.push(stringField(3, `${n.op.toLowerCase()}_${index}`), stringField(4, n.op));
  for (const [name, value] of Object.entries(n.attributes ?? {})) {
    // AttributeProto: name=1, i=3, type=20 (INT = 2)
    parts.push(bytesField(5, chunks(stringField(1, name), intField(3, value), intField(20, 2))));
  }
  return chunks(...parts);
}

function model(graph: OnnxGraph): Chunks {
  const g = chunks(
    ...graph.nodes.map((n, i) => bytesField(1, node(n, i))),
    stringField(2, graph.name ?? 'paperline-test'),
    ...(graph.initializers ?? []).map((t) => bytesField(5, tensor(t))),
    ...graph.inputs.map((i) => bytesField(11, valueInfo(i))),
    ...graph.outputs.map((o) => bytesField(12, valueInfo(o))),
  );
  const opset = chunks(stringField(1, ''), intField(2, graph.opset ?? DEFAULT_OPSET));
  return chunks(intField(1, IR_VERSION), stringField(2, 'paperline-testing'), bytesField(7, g), bytesField(8, opset));
}

/** Encodes a graph as ONNX model bytes (small models; use writeOnnxModel for large ones). */
export function encodeOnnxModel(graph: OnnxGraph): Uint8Array {
  const m = model(graph);
  const out = new Uint8Array(m.length);
  let offset = 0;
  for (const part of m.parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Writes a graph as an ONNX file chunk by chunk, so a 300 MB initializer is not copied again. */
export function writeOnnxModel(path: string, graph: OnnxGraph): number {
  const m = model(graph);
  const fd = openSync(path, 'w');
  try {
    for (const part of m.parts) writeSync(fd, part);
  } finally {
    closeSync(fd);
  }
  return m.length;
}

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
  const scale = new Uint8Array(new Float32Array([spec.scale ?? 2]).buffer);
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
