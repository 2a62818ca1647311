// Large weights left in the model file as external data references: the model bytes shrink to
// the graph, onnxruntime maps the weights from the file and computes the same outputs, and
// models that already keep their weights in data files still load (and are simplified).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, floatData, readExternal, readModelSkeleton, WireError, writeOnnxModel, type OnnxGraph } from './index.js';
import { node } from './model.js';
import { bytesField, chunks, concat, intField, stringField } from './wire.js';

const ROWS = 512;
const WIDTH = 64;

/** y = Gather(table, ids) * 2, with a 128 KiB table. */
function tableModel(): OnnxGraph {
  const table = Float32Array.from({ length: ROWS * WIDTH }, (_, i) => (i % 97) / 97);
  return {
    inputs: [{ name: 'ids', type: 'int64', shape: ['N'] }],
    outputs: [{ name: 'y', type: 'float', shape: ['N', WIDTH] }],
    nodes: [
      { op: 'Gather', inputs: ['table', 'ids'], outputs: ['rows'], attributes: { axis: 0 } },
      { op: 'Mul', inputs: ['rows', 'two'], outputs: ['y'] },
    ],
    initializers: [
      { name: 'table', type: 'float', dims: [ROWS, WIDTH], data: new Uint8Array(table.buffer) },
      { name: 'two', type: 'float', dims: [], data: floatData([2]) },
    ],
  };
}

/** The model with initializer `name` moved into a Constant node's value, as Paddle's exports keep their weights. */
function asConstantNode(bytes: Uint8Array, name: string): Uint8Array {
  const model = decodeModel(bytes);
  const tensor = model.graph.initializers.find((t) => t.name === name)!;
  model.graph.initializers = model.graph.initializers.filter((t) => t !== tensor);
  const value = { name: 'value', hasGraph: false, raw: chunks(stringField(1, 'value'), bytesField(5, tensor.raw), intField(20, ATTRIBUTE_TENSOR)) };
  model.graph.nodes.unshift(node('Constant', [], [name], [value]));
  return concat(encodeModel(model));
}

const ATTRIBUTE_TENSOR = 4;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function write(graph: OnnxGraph, name = 'model.onnx'): string {
  const dir = mkdtempSync(join(tmpdir(), 'pl-onnx-external-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeOnnxModel(path, graph);
  return path;
}

async function outputs(model: string | Uint8Array, dir?: string): Promise<Float32Array> {
  const options: ort.InferenceSession.SessionOptions = dir ? { extra: { session: { model_external_initializers_file_folder_path: dir } } } : {};
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
  try {
    const out = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from([0n, 7n, 511n]), [3]) });
    return out['y']!.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('readModelSkeleton', () => {
  it('leaves large initializers in the file and onnxruntime computes the same outputs from them', async () => {
    const path = write(tableModel());
    const skeleton = readModelSkeleton(path);
    expect(skeleton.referenced).toEqual({ tensors: 1, bytes: ROWS * WIDTH * 4 });
    expect(skeleton.bytes.length).toBeLessThan(1024);
    const table = decodeModel(skeleton.bytes).graph.initializers.find((t) => t.name === 'table');
    expect(table?.external).toBe(true);
    // the reference is the table's own bytes in the model file
    expect(readExternal(skeleton.dir, table!.externalData!)).toEqual(new Uint8Array(Float32Array.from({ length: ROWS * WIDTH }, (_, i) => (i % 97) / 97).buffer));
    expect(await outputs(skeleton.bytes, skeleton.dir)).toEqual(await outputs(path));
  });

  it('references large tensors of Constant nodes too', async () => {
    const path = write(tableModel());
    const constantPath = join(dirs[0]!, 'constant.onnx');
    writeFileSync(constantPath, asConstantNode(readFileSync(path), 'table'));
    const skeleton = readModelSkeleton(constantPath);
    expect(skeleton.referenced).toEqual({ tensors: 1, bytes: ROWS * WIDTH * 4 });
    expect(decodeModel(skeleton.bytes).graph.nodes[0]?.attributes[0]?.t?.external).toBe(true);
    expect(await outputs(skeleton.bytes, skeleton.dir)).toEqual(await outputs(path));
  });

  it('keeps small initializers inline and reads nothing it does not reference', () => {
    const path = write(tableModel());
    const skeleton = readModelSkeleton(path, ROWS * WIDTH * 4 + 1);
    expect(skeleton.referenced).toEqual({ tensors: 0, bytes: 0 });
    expect(skeleton.bytes).toEqual(new Uint8Array(readFileSync(path)));
  });

  it('says where a damaged file breaks', () => {
    const path = write(tableModel());
    writeFileSync(path, readFileSync(path).subarray(0, 5000));
    expect(() => readModelSkeleton(path)).toThrow(WireError);
  });

  it('refuses external data outside the model directory', () => {
    expect(() => readExternal(tmpdir(), { location: '../etc/passwd', offset: 0, length: 4 })).toThrow(/outside the model's directory/);
  });
});
