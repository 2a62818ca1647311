// Writes ONNX models from a plain description: generated test models with chosen names, shapes,
// attributes and initializer sizes (and thus known memory footprints), without a Python toolchain.
import { closeSync, openSync, writeSync } from 'node:fs';
import { encodeTensor, floatAttribute, intAttribute, intsAttribute, OnnxTypes, type OnnxType } from './model.js';
import { bytesField, chunks, concat, intField, stringField, type Chunks } from './wire.js';

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

function valueInfo(info: OnnxValueInfo): Chunks {
  const dims = info.shape.map((d) => bytesField(1, typeof d === 'number' ? intField(1, d) : stringField(2, d)));
  const tensorType = chunks(intField(1, OnnxTypes[info.type]), bytesField(2, chunks(...dims)));
  return chunks(stringField(1, info.name), bytesField(2, bytesField(1, tensorType)));
}

function node(n: OnnxNode, index: number): Chunks {
  const parts = [...n.inputs.map((i) => stringField(1, i)), ...n.outputs.map((o) => stringField(2, o))];
  parts.push(stringField(3, `${n.op.toLowerCase()}_${index}`), stringField(4, n.op));
  const attributes = [
    ...Object.entries(n.attributes ?? {}).map(([name, value]) => (typeof value === 'number' ? intAttribute(name, value) : intsAttribute(name, value))),
    ...Object.entries(n.floatAttributes ?? {}).map(([name, value]) => floatAttribute(name, value)),
  ];
  for (const a of attributes) parts.push(bytesField(5, a.raw));
  return chunks(...parts);
}

function model(graph: OnnxGraph): Chunks {
  const g = chunks(
    ...graph.nodes.map((n, i) => bytesField(1, node(n, i))),
    stringField(2, graph.name ?? 'paperline-generated'),
    ...(graph.initializers ?? []).map((t) => bytesField(5, encodeTensor(t.name, t.dims, OnnxTypes[t.type], t.data))),
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
