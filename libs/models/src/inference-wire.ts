// Messages between a stage and its inference thread. Tensors cross as their type, dims and
// typed array; the arrays' buffers are moved, not copied.
import * as ort from 'onnxruntime-node';
import type { ModelErrorCode } from './errors.js';
import type { OnnxSessionFactoryOptions } from './session-factory.js';

export interface WireTensor {
  type: ort.Tensor.Type;
  dims: readonly number[];
  data: ort.Tensor.DataType & ArrayBufferView;
}

export type WireTensors = Record<string, WireTensor>;

export type WorkerRequest =
  | { op: 'init'; id: number; options: OnnxSessionFactoryOptions }
  | { op: 'create'; id: number; files: readonly string[]; provider: string }
  | { op: 'run'; id: number; handle: number; feeds: WireTensors }
  | { op: 'release'; id: number; handle: number };

export type WorkerReply =
  | { id: number; ok: true; handle?: number; inputNames?: readonly string[]; outputNames?: readonly string[]; outputs?: WireTensors }
  | { id: number; ok: false; error: { name: string; message: string; code?: ModelErrorCode; detail?: string } };

export function toWire(tensors: Record<string, ort.Tensor>): WireTensors {
  const out: WireTensors = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = { type: t.type, dims: t.dims, data: t.data as WireTensor['data'] };
  return out;
}

export function fromWire(tensors: WireTensors): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = new ort.Tensor(t.type, t.data as never, t.dims);
  return out;
}

/** The distinct whole buffers behind the tensors (a view into a larger buffer is copied instead). */
export function buffersOf(tensors: WireTensors): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const t of Object.values(tensors)) {
    const { buffer, byteOffset, byteLength } = t.data;
    if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) buffers.add(buffer);
  }
  return [...buffers];
}
