// An ONNX model read into the parts a graph rewrite touches (nodes, their attributes, constant
// tensors); every other field is kept as encoded and written back byte for byte.
import { bytesField, chunks, floatField, intField, packedInts, readFields, readFloat, readFloats, readInt, readInts, readString, stringField, type Chunks, type WireField } from './wire.js';

/** ONNX TensorProto.DataType values used here. */
export const OnnxTypes = { float: 1, int64: 7 } as const;
export type OnnxType = keyof typeof OnnxTypes;

// Field numbers from onnx.proto.
const Model = { graph: 7, opsetImport: 8 } as const;
const OperatorSet = { domain: 1, version: 2 } as const;
const Graph = { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13 } as const;
const Node = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const Attribute = { name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, floats: 7, ints: 8, graphs: 11, type: 20 } as const;
const AttributeType = { float: 1, int: 2, ints: 7 } as const;
const Tensor = { dims: 1, dataType: 2, floatData: 4, name: 8, rawData: 9, externalData: 13, dataLocation: 14 } as const;
const EXTERNAL_DATA = 1;

/** Where an external tensor's bytes are: a file relative to the model's directory. */
export interface ExternalRef {
  location: string;
  offset: number;
  length: number;
}

export interface TensorData {
  name: string;
  dims: number[];
  dataType: number;
  /**
   * Float contents of a float tensor, decoded when first read: a view of the model bytes where
   * they are aligned, read from the file for an external tensor when the model was decoded with
   * `readExternal`, else absent.
   */
  readonly floats?: Float32Array;
  /** The data lives in a file beside the model. */
  external: boolean;
  /** Where, when it does. */
  externalData?: ExternalRef;
  /** The TensorProto as encoded. */
  raw: Chunks;
}

export interface AttributeData {
  name: string;
  f?: number;
  i?: number;
  s?: string;
  ints?: number[];
  floats?: number[];
  t?: TensorData;
  /** The attribute holds a subgraph (If, Loop, Scan). */
  hasGraph: boolean;
  raw: Chunks;
}

export interface NodeData {
  inputs: string[];
  outputs: string[];
  name: string;
  opType: string;
  domain: string;
  attributes: AttributeData[];
  /** Fields other than the above (doc strings, overloads), as encoded. */
  otherFields: Uint8Array[];
}

export interface GraphData {
  nodes: NodeData[];
  initializers: TensorData[];
  inputNames: string[];
  outputNames: string[];
  /** Shape and type hints of intermediate values, by name, as encoded. */
  valueInfos: Array<{ name: string; raw: Uint8Array }>;
  /** Fields other than nodes, initializers and value infos (name, inputs, outputs), as encoded. */
  otherFields: Uint8Array[];
}

export interface ModelData {
  graph: GraphData;
  /** The version of the default (ai.onnx) operator set the model imports. */
  opset: number;
  otherFields: Uint8Array[];
}

export interface DecodeOptions {
  /** Reads an external tensor's bytes, for the float tensors a rewrite needs; without it they have no `floats`. */
  readExternal?: (ref: ExternalRef) => Uint8Array;
}

function externalRef(fields: WireField[]): ExternalRef | undefined {
  const entries = new Map<string, string>();
  for (const f of fields) {
    let key = '';
    let value = '';
    for (const inner of readFields(f.bytes)) {
      if (inner.field === 1) key = readString(inner);
      else if (inner.field === 2) value = readString(inner);
    }
    entries.set(key, value);
  }
  const location = entries.get('location');
  if (location === undefined) return undefined;
  const offset = Number(entries.get('offset') ?? 0);
  const length = Number(entries.get('length') ?? Number.NaN);
  return Number.isSafeInteger(offset) && Number.isSafeInteger(length) ? { location, offset, length } : undefined;
}

/** Little-endian float32 bytes as floats: a view where aligned, else a copy. */
function floatsOf(bytes: Uint8Array): Float32Array | undefined {
  if (bytes.length % 4 !== 0) return undefined;
  return bytes.byteOffset % 4 === 0 ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4) : new Float32Array(new Uint8Array(bytes).buffer);
}

function decodeTensor(bytes: Uint8Array, options: DecodeOptions): TensorData {
  const dims: number[] = [];
  let name = '';
  let dataType = 0;
  let rawData: Uint8Array | undefined;
  const floatData: WireField[] = [];
  const externalData: WireField[] = [];
  let external = false;
  for (const f of readFields(bytes)) {
    if (f.field === Tensor.dims) dims.push(...readInts(f));
    else if (f.field === Tensor.dataType) dataType = readInt(f);
    else if (f.field === Tensor.name) name = readString(f);
    else if (f.field === Tensor.rawData) rawData = f.bytes;
    else if (f.field === Tensor.floatData) floatData.push(f);
    else if (f.field === Tensor.externalData) externalData.push(f);
    else if (f.field === Tensor.dataLocation) external = readInt(f) === EXTERNAL_DATA;
  }
  const ref = external ? externalRef(externalData) : undefined;
  const decodeFloats = (): Float32Array | undefined => {
    if (dataType !== OnnxTypes.float) return undefined;
    if (external) return ref && options.readExternal ? floatsOf(options.readExternal(ref)) : undefined;
    if (rawData) return floatsOf(rawData);
    return Float32Array.from(floatData.flatMap((f) => (f.wire === 5 ? [readFloat(f)] : readFloats(f))));
  };
  let decoded = false;
  let floats: Float32Array | undefined;
  return {
    name,
    dims,
    dataType,
    external,
    ...(ref ? { externalData: ref } : {}),
    raw: chunks(bytes),
    // only the constants a rewrite looks at are decoded, and a large table is never copied
    get floats() {
      if (!decoded) {
        floats = decodeFloats();
        decoded = true;
      }
      return floats;
    },
  };
}

function decodeAttribute(bytes: Uint8Array, options: DecodeOptions): AttributeData {
  const a: AttributeData = { name: '', hasGraph: false, raw: chunks(bytes) };
  for (const f of readFields(bytes)) {
    if (f.field === Attribute.name) a.name = readString(f);
    else if (f.field === Attribute.f) a.f = readFloat(f);
    else if (f.field === Attribute.i) a.i = readInt(f);
    else if (f.field === Attribute.s) a.s = readString(f);
    else if (f.field === Attribute.t) a.t = decodeTensor(f.bytes, options);
    else if (f.field === Attribute.ints) (a.ints ??= []).push(...readInts(f));
    else if (f.field === Attribute.floats) (a.floats ??= []).push(...(f.wire === 5 ? [readFloat(f)] : readFloats(f)));
    else if (f.field === Attribute.g || f.field === Attribute.graphs) a.hasGraph = true;
  }
  return a;
}

function decodeNode(bytes: Uint8Array, options: DecodeOptions): NodeData {
  const n: NodeData = { inputs: [], outputs: [], name: '', opType: '', domain: '', attributes: [], otherFields: [] };
  for (const f of readFields(bytes)) {
    if (f.field === Node.input) n.inputs.push(readString(f));
    else if (f.field === Node.output) n.outputs.push(readString(f));
    else if (f.field === Node.name) n.name = readString(f);
    else if (f.field === Node.opType) n.opType = readString(f);
    else if (f.field === Node.domain) n.domain = readString(f);
    else if (f.field === Node.attribute) n.attributes.push(decodeAttribute(f.bytes, options));
    else n.otherFields.push(f.raw);
  }
  return n;
}

const valueInfoName = (f: WireField): string => {
  for (const inner of readFields(f.bytes)) if (inner.field === 1) return readString(inner);
  return '';
};

function decodeGraph(bytes: Uint8Array, options: DecodeOptions): GraphData {
  const g: GraphData = { nodes: [], initializers: [], inputNames: [], outputNames: [], valueInfos: [], otherFields: [] };
  for (const f of readFields(bytes)) {
    if (f.field === Graph.node) g.nodes.push(decodeNode(f.bytes, options));
    else if (f.field === Graph.initializer) g.initializers.push(decodeTensor(f.bytes, options));
    else if (f.field === Graph.valueInfo) g.valueInfos.push({ name: valueInfoName(f), raw: f.raw });
    else {
      if (f.field === Graph.input) g.inputNames.push(valueInfoName(f));
      if (f.field === Graph.output) g.outputNames.push(valueInfoName(f));
      g.otherFields.push(f.raw);
    }
  }
  return g;
}

function defaultDomainVersion(f: WireField): number {
  let domain = '';
  let version = 0;
  for (const inner of readFields(f.bytes)) {
    if (inner.field === OperatorSet.domain) domain = readString(inner);
    else if (inner.field === OperatorSet.version) version = readInt(inner);
  }
  return domain === '' || domain === 'ai.onnx' ? version : 0;
}

/** Reads an ONNX model (ModelProto bytes); tensors stay views of `bytes`. */
export function decodeModel(bytes: Uint8Array, options: DecodeOptions = {}): ModelData {
  let graph: GraphData | undefined;
  let opset = 0;
  const otherFields: Uint8Array[] = [];
  for (const f of readFields(bytes)) {
    if (f.field === Model.graph) graph = decodeGraph(f.bytes, options);
    else {
      if (f.field === Model.opsetImport) opset = Math.max(opset, defaultDomainVersion(f));
      otherFields.push(f.raw);
    }
  }
  if (!graph) throw new Error('the model has no graph');
  return { graph, opset, otherFields };
}

/** A TensorProto holding `data` (little-endian raw bytes of `dataType`) by reference, not copied. */
export function encodeTensor(name: string, dims: readonly number[], dataType: number, data: Uint8Array): Chunks {
  return chunks(packedInts(Tensor.dims, dims), intField(Tensor.dataType, dataType), stringField(Tensor.name, name), bytesField(Tensor.rawData, data));
}

/** A float tensor to add to a graph as an initializer. */
export function floatTensor(name: string, dims: readonly number[], values: Float32Array): TensorData {
  const raw = encodeTensor(name, dims, OnnxTypes.float, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return { name, dims: [...dims], dataType: OnnxTypes.float, floats: values, external: false, raw };
}

export function floatAttribute(name: string, value: number): AttributeData {
  return { name, f: value, hasGraph: false, raw: chunks(stringField(Attribute.name, name), floatField(Attribute.f, value), intField(Attribute.type, AttributeType.float)) };
}

export function intAttribute(name: string, value: number): AttributeData {
  return { name, i: value, hasGraph: false, raw: chunks(stringField(Attribute.name, name), intField(Attribute.i, value), intField(Attribute.type, AttributeType.int)) };
}

export function intsAttribute(name: string, values: readonly number[]): AttributeData {
  return { name, ints: [...values], hasGraph: false, raw: chunks(stringField(Attribute.name, name), packedInts(Attribute.ints, values), intField(Attribute.type, AttributeType.ints)) };
}

/** A new node in the default (ai.onnx) domain. */
export function node(opType: string, inputs: string[], outputs: string[], attributes: AttributeData[] = [], name = ''): NodeData {
  return { inputs, outputs, name, opType, domain: '', attributes, otherFields: [] };
}

function encodeNode(n: NodeData): Chunks {
  return chunks(
    ...n.inputs.map((i) => stringField(Node.input, i)),
    ...n.outputs.map((o) => stringField(Node.output, o)),
    ...(n.name ? [stringField(Node.name, n.name)] : []),
    stringField(Node.opType, n.opType),
    ...(n.domain ? [stringField(Node.domain, n.domain)] : []),
    ...n.attributes.map((a) => bytesField(Node.attribute, a.raw)),
    ...n.otherFields,
  );
}

/** Writes a model back; unchanged fields are copied as they were read. */
export function encodeModel(model: ModelData): Chunks {
  const g = model.graph;
  const graph = chunks(
    ...g.nodes.map((n) => bytesField(Graph.node, encodeNode(n))),
    ...g.initializers.map((t) => bytesField(Graph.initializer, t.raw)),
    ...g.valueInfos.map((v) => v.raw),
    ...g.otherFields,
  );
  return chunks(...model.otherFields, bytesField(Model.graph, graph));
}
