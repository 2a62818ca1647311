// The protobuf wire format, as far as ONNX's messages need it. Writing builds lists of chunks
// instead of one buffer, so that a large initializer is never copied while a model is assembled.

export type WireType = 0 | 1 | 2 | 5;

/** One field as read: its number, wire type, value, and its whole encoding (tag included). */
export interface WireField {
  field: number;
  wire: WireType;
  /** The value of a varint (wire 0) field. */
  int: bigint;
  /** The payload of a length-delimited (wire 2) or fixed-size (wire 1, 5) field. */
  bytes: Uint8Array;
  /** The field exactly as encoded, to write back unchanged. */
  raw: Uint8Array;
}

export class WireError extends Error {
  override readonly name = 'WireError';
}

/** A varint at `start`: its value and the offset after it. */
export function readVarint(buf: Uint8Array, start: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  let offset = start;
  for (;;) {
    if (offset >= buf.length) throw new WireError(`a varint runs past the end of the message at byte ${start}`);
    const byte = buf[offset++]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, offset];
    shift += 7n;
    if (shift > 63n) throw new WireError(`a varint is longer than 10 bytes at byte ${start}`);
  }
}

/** The fields of one message, in order; nested messages stay bytes until read in turn. */
export function* readFields(buf: Uint8Array): Generator<WireField> {
  let offset = 0;
  while (offset < buf.length) {
    const start = offset;
    const [key, afterKey] = readVarint(buf, offset);
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let int = 0n;
    let bytes = buf.subarray(afterKey, afterKey);
    switch (wire) {
      case 0:
        [int, offset] = readVarint(buf, afterKey);
        break;
      case 1:
      case 5: {
        offset = afterKey + (wire === 1 ? 8 : 4);
        bytes = buf.subarray(afterKey, offset);
        break;
      }
      case 2: {
        const [length, afterLength] = readVarint(buf, afterKey);
        offset = afterLength + Number(length);
        bytes = buf.subarray(afterLength, offset);
        break;
      }
      default:
        throw new WireError(`field ${field} has unsupported wire type ${wire} at byte ${start}`);
    }
    if (offset > buf.length) throw new WireError(`field ${field} runs past the end of the message at byte ${start}`);
    yield { field, wire: wire as WireType, int, bytes, raw: buf.subarray(start, offset) };
  }
}

const decoder = new TextDecoder();
export const readString = (f: WireField): string => decoder.decode(f.bytes);
/** A signed 64-bit varint as a number (ONNX dims and ints fit). */
export const readInt = (f: WireField): number => Number(BigInt.asIntN(64, f.int));
export const readFloat = (f: WireField): number => new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getFloat32(0, true);

/** Repeated int64: packed (wire 2) or one field per value (wire 0). */
export function readInts(f: WireField): number[] {
  if (f.wire === 0) return [readInt(f)];
  const out: number[] = [];
  for (let offset = 0; offset < f.bytes.length; ) {
    const [value, next] = readVarint(f.bytes, offset);
    out.push(Number(BigInt.asIntN(64, value)));
    offset = next;
  }
  return out;
}

/** Repeated float: packed (wire 2) or one field per value (wire 5). */
export function readFloats(f: WireField): number[] {
  const view = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length);
  const out: number[] = [];
  for (let offset = 0; offset + 4 <= f.bytes.length; offset += 4) out.push(view.getFloat32(offset, true));
  return out;
}

/** A message being written: its parts and their total length. */
export interface Chunks {
  parts: Uint8Array[];
  length: number;
}

export function chunks(...parts: Array<Chunks | Uint8Array>): Chunks {
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

export function varint(value: number | bigint): Uint8Array {
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

const tag = (field: number, wire: WireType) => varint((field << 3) | wire);
export const intField = (field: number, value: number | bigint): Chunks => chunks(tag(field, 0), varint(value));
export const bytesField = (field: number, body: Chunks | Uint8Array): Chunks => chunks(tag(field, 2), varint(body.length), body);
export const stringField = (field: number, value: string): Chunks => bytesField(field, new TextEncoder().encode(value));
export function floatField(field: number, value: number): Chunks {
  const body = new Uint8Array(4);
  new DataView(body.buffer).setFloat32(0, value, true);
  return chunks(tag(field, 5), body);
}
export const packedInts = (field: number, values: readonly number[]): Chunks => bytesField(field, chunks(...values.map((v) => varint(v))));

/** The chunks as one buffer (for models small enough to hold twice). */
export function concat(c: Chunks): Uint8Array {
  const out = new Uint8Array(c.length);
  let offset = 0;
  for (const part of c.parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
