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

/** How a run's outputs come back. */
export interface InferenceRunOptions {
  /**
   * Outputs returned as their maximum over the last axis, computed in the inference thread:
   * `<name>` comes back as `<name>.argmax` (int32) and `<name>.max` (float32), shaped as the
   * output less its last axis. A recogniser's [N, T, classes] scores (megabytes per batch) then
   * never reach the stage thread, whose garbage collector ran a full mark-compact every ~300 ms
   * for them.
   */
  maxOverLastAxis?: readonly string[];
}

export type WorkerRequest =
  | { op: 'init'; id: number; options: OnnxSessionFactoryOptions }
  | { op: 'create'; id: number; files: readonly string[]; provider: string }
  | { op: 'run'; id: number; handle: number; feeds: WireTensors; maxOverLastAxis?: readonly string[] }
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

/** `outputs` with each tensor named in `names` replaced by its argmax and max over the last axis (first maximum wins). */
export function withMaxOverLastAxis(outputs: Record<string, ort.Tensor>, names: readonly string[] = []): Record<string, ort.Tensor> {
  if (names.length === 0) return outputs;
  const out: Record<string, ort.Tensor> = { ...outputs };
  for (const name of names) {
    const t = outputs[name];
    if (!t || t.type !== 'float32' || t.dims.length === 0) throw new Error(`output ${name} is not a float32 tensor to reduce`);
    const data = t.data as Float32Array;
    const width = t.dims[t.dims.length - 1]!;
    const rows = width === 0 ? 0 : data.length / width;
    const argmax = new Int32Array(rows);
    const max = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const start = r * width;
      let best = 0;
      let bestValue = data[start]!;
      for (let c = 1; c < width; c++) {
        const v = data[start + c]!;
        if (v > bestValue) {
          bestValue = v;
          best = c;
        }
      }
      argmax[r] = best;
      max[r] = bestValue;
    }
    const dims = t.dims.slice(0, -1);
    delete out[name];
    out[`${name}.argmax`] = new ort.Tensor('int32', argmax, dims);
    out[`${name}.max`] = new ort.Tensor('float32', max, dims);
  }
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
