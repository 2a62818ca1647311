// Reads an ONNX file without its large weights. Each initializer with at least `minBytes` of
// raw data becomes a reference to its own bytes in the file (ONNX external data: location,
// offset, length). onnxruntime memory-maps external data on the CPU and uses the mapped pages
// as the tensor, so the weights cost their size once, in file-backed pages that go away with
// the session; loaded from inline bytes they were copied twice more (the model bytes, the
// parsed protobuf, the tensor). Reading here costs only the model's small parts.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ExternalRef } from './model.js';
import { bytesField, chunks, concat, intField, readVarint, stringField, WireError, type Chunks } from './wire.js';

/**
 * Initializers this large are referenced, smaller ones read. onnxruntime maps each reference
 * on its own, page-rounded, so tiny ones would cost a mapping and up to two pages each.
 */
export const DEFAULT_MIN_EXTERNAL_BYTES = 64 * 1024;

// Field numbers from onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_TENSOR = 5;
const TENSOR_RAW_DATA = 9;
const TENSOR_EXTERNAL_DATA = 13;
const TENSOR_DATA_LOCATION = 14;
const EXTERNAL = 1;

export interface ModelSkeleton {
  /** The model with its large initializers as references into the file. */
  bytes: Uint8Array;
  /** The directory their locations are relative to (onnxruntime's external initializers folder). */
  dir: string;
  /** Initializers turned into references, and their bytes. */
  referenced: { tensors: number; bytes: number };
}

const WINDOW = 1 << 16;

/** Positioned reads through one window, so that reading a field header is not a system call. */
class FileWindow {
  private buffer = new Uint8Array(0);
  private start = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  bytes(offset: number, length: number): Uint8Array {
    if (offset + length > this.size) throw new WireError(`a field runs past the end of the file at byte ${offset}`);
    if (offset < this.start || offset + length > this.start + this.buffer.length) this.fill(offset, Math.max(length, WINDOW));
    return this.buffer.subarray(offset - this.start, offset - this.start + length);
  }

  /** A varint at `offset` (at most 10 bytes): its value and the offset after it. */
  varint(offset: number): [bigint, number] {
    const head = this.bytes(offset, Math.min(10, this.size - offset));
    const [value, after] = readVarint(head, 0);
    return [value, offset + after];
  }

  private fill(offset: number, length: number): void {
    const size = Math.min(length, this.size - offset);
    this.buffer = new Uint8Array(size);
    for (let done = 0; done < size; ) {
      const n = readSync(this.fd, this.buffer, done, size - done, offset + done);
      if (n === 0) throw new WireError(`the file ended at byte ${offset + done} while reading`);
      done += n;
    }
    this.start = offset;
  }
}

/** One field of a message in the file: where it starts, where its payload starts and where it ends. */
interface FileField {
  field: number;
  wire: number;
  start: number;
  payload: number;
  end: number;
}

function* fieldsIn(file: FileWindow, from: number, to: number): Generator<FileField> {
  for (let offset = from; offset < to; ) {
    const [key, afterKey] = file.varint(offset);
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let payload = afterKey;
    let end: number;
    if (wire === 0) end = file.varint(afterKey)[1];
    else if (wire === 1) end = afterKey + 8;
    else if (wire === 5) end = afterKey + 4;
    else if (wire === 2) {
      const [length, afterLength] = file.varint(afterKey);
      payload = afterLength;
      end = afterLength + Number(length);
    } else throw new WireError(`field ${field} has unsupported wire type ${wire} at byte ${offset}`);
    if (end > to) throw new WireError(`field ${field} runs past the end of its message at byte ${offset}`);
    yield { field, wire, start: offset, payload, end };
    offset = end;
  }
}

const entry = (key: string, value: string): Chunks => bytesField(TENSOR_EXTERNAL_DATA, chunks(stringField(1, key), stringField(2, value)));

/**
 * The model at `path` with every initializer and node attribute tensor whose raw data has at least
 * `minBytes` written as a reference to those bytes in the file itself. Tensors already in external files stay as they are
 * (their locations are relative to the same directory). Loading the result needs onnxruntime's
 * `session.model_external_initializers_file_folder_path` set to `dir`.
 */
export function readModelSkeleton(path: string, minBytes = DEFAULT_MIN_EXTERNAL_BYTES): ModelSkeleton {
  const fd = openSync(path, 'r');
  try {
    const file = new FileWindow(fd, fstatSync(fd).size);
    const location = basename(path);
    const referenced = { tensors: 0, bytes: 0 };
    const keep = (f: FileField): Uint8Array => file.bytes(f.start, f.end - f.start);
    const tensor = (t: FileField): Chunks => {
      const parts: Uint8Array[] = [];
      let data: FileField | undefined;
      for (const f of fieldsIn(file, t.payload, t.end)) {
        if (f.field === TENSOR_RAW_DATA && f.wire === 2 && f.end - f.payload >= minBytes) data = f;
        else if (f.field !== TENSOR_DATA_LOCATION) parts.push(keep(f));
      }
      if (!data) return chunks(file.bytes(t.payload, t.end - t.payload));
      referenced.tensors += 1;
      referenced.bytes += data.end - data.payload;
      return chunks(...parts, entry('location', location), entry('offset', String(data.payload)), entry('length', String(data.end - data.payload)), intField(TENSOR_DATA_LOCATION, EXTERNAL));
    };
    /** The message with its fields of number `field` (when large) rewritten by `inner`. */
    const rewrite = (m: FileField, field: number, inner: (f: FileField) => Chunks): Chunks => {
      const parts: Array<Chunks | Uint8Array> = [];
      for (const f of fieldsIn(file, m.payload, m.end)) parts.push(f.field === field && f.wire === 2 && f.end - f.payload >= minBytes ? bytesField(field, inner(f)) : keep(f));
      return chunks(...parts);
    };
    // Paddle's exports (the PP-OCR family) keep their weights in Constant nodes, as the `value` tensor attribute
    const node = (n: FileField): Chunks => rewrite(n, NODE_ATTRIBUTE, (a) => rewrite(a, ATTRIBUTE_TENSOR, tensor));
    const graph = (g: FileField): Chunks => {
      const parts: Array<Chunks | Uint8Array> = [];
      for (const f of fieldsIn(file, g.payload, g.end)) {
        const large = f.wire === 2 && f.end - f.payload >= minBytes;
        if (large && f.field === GRAPH_INITIALIZER) parts.push(bytesField(f.field, tensor(f)));
        else if (large && f.field === GRAPH_NODE) parts.push(bytesField(f.field, node(f)));
        else parts.push(keep(f));
      }
      return chunks(...parts);
    };
    const parts: Array<Chunks | Uint8Array> = [];
    for (const f of fieldsIn(file, 0, file.size)) parts.push(f.field === MODEL_GRAPH && f.wire === 2 ? bytesField(MODEL_GRAPH, graph(f)) : keep(f));
    return { bytes: concat(chunks(...parts)), dir: dirname(resolve(path)), referenced };
  } finally {
    closeSync(fd);
  }
}

/** Reads an external tensor's bytes; a location outside `dir` is refused, as onnxruntime refuses it. */
export function readExternal(dir: string, ref: ExternalRef): Uint8Array {
  const path = resolve(dir, ref.location);
  const inside = relative(dir, path);
  if (inside.startsWith('..') || isAbsolute(inside)) throw new WireError(`external data '${ref.location}' is outside the model's directory`);
  const fd = openSync(path, 'r');
  try {
    const out = new Uint8Array(ref.length);
    for (let done = 0; done < ref.length; ) {
      const n = readSync(fd, out, done, ref.length - done, ref.offset + done);
      if (n === 0) throw new WireError(`external data '${ref.location}' ends before byte ${ref.offset + ref.length}`);
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
