// Writes ONNX models from a plain description: generated test models with chosen names, shapes,
// attributes and initializer sizes (and thus known memory footprints), without a Python toolchain.
import { closeSync, openSync, writeSync } from 'node:fs';
import { bytesField, chunks, concat, floatField, intField, packedInts, stringField, type Chunks } from './wire.js';

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
  /** Integer (a number) and integer-list (an array) attributes. */
  attributes?: Record<string, number | readonly number[]>;
  floatAttributes?: Record<string, number>;
}

export interface OnnxGraph {
  name?: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  nodes: OnnxNode[];
  initializers?: OnnxInitializer[];
  /** Shape hints of intermediate values. */
  valueInfos?: OnnxValueInfo[];
  /** @default 13 */
  opset?: number;
}

const DEFAULT_OPSET = 13;
const IR_VERSION = 8;
const AttributeType = { float: 1, int: 2, ints: 7 } as const;

function valueInfo(info: OnnxValueInfo): Chunks {
  const dims = info.shape.map((d) => bytesField(1, typeof d === 'number' ? intField(1, d) : stringField(2, d)));
  const tensorType = chunks(intField(1, OnnxTypes[info.type]), bytesField(2, chunks(...dims)));
  return chunks(stringField(1, info.name), bytesField(2, bytesField(1, tensorType)));
}

function tensor(init: OnnxInitializer): Chunks {
  const dims = chunks(...init.dims.map((d) => intField(1, d)));
  return chunks(dims, intField(2, OnnxTypes[init.type]), stringField(8, init.name), bytesField(9, init.data));
}

function node(n: OnnxNode, index: number): Chunks {
  const parts = [...n.inputs.map((i) => stringField(1, i)), ...n.outputs.map((o) => stringField(2, o))];
  parts.push(stringField(3, `${n.op.toLowerCase()}_${index}`), stringField(4, n.op));
  // AttributeProto: name=1, f=2, i=3, ints=8, type=20
  for (const [name, value] of Object.entries(n.attributes ?? {})) {
    const body = typeof value === 'number' ? chunks(intField(3, value), intField(20, AttributeType.int)) : chunks(packedInts(8, value), intField(20, AttributeType.ints));
    parts.push(bytesField(5, chunks(stringField(1, name), body)));
  }
  for (const [name, value] of Object.entries(n.floatAttributes ?? {})) {
    parts.push(bytesField(5, chunks(stringField(1, name), floatField(2, value), intField(20, AttributeType.float))));
  }
  return chunks(...parts);
}

function model(graph: OnnxGraph): Chunks {
  const g = chunks(
    ...graph.nodes.map((n, i) => bytesField(1, node(n, i))),
    stringField(2, graph.name ?? 'paperline-generated'),
    ...(graph.initializers ?? []).map((t) => bytesField(5, tensor(t))),
    ...graph.inputs.map((i) => bytesField(11, valueInfo(i))),
    ...graph.outputs.map((o) => bytesField(12, valueInfo(o))),
    ...(graph.valueInfos ?? []).map((v) => bytesField(13, valueInfo(v))),
  );
  const opset = chunks(stringField(1, ''), intField(2, graph.opset ?? DEFAULT_OPSET));
  return chunks(intField(1, IR_VERSION), stringField(2, 'paperline'), bytesField(7, g), bytesField(8, opset));
}

/** Encodes a graph as ONNX model bytes (small models; use writeOnnxModel for large ones). */
export function encodeOnnxModel(graph: OnnxGraph): Uint8Array {
  return concat(model(graph));
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

/** Float32 values as an initializer's raw data. */
export const floatData = (values: ArrayLike<number>): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);
