import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeOnnxModel, floatData, prepareModelFile, readModelSkeleton, simplifyForInference, WireError, type OnnxGraph, type OnnxInitializer, type OnnxNode } from './index.js';

const C = 4;

/** Deterministic pseudo-random floats in [-1, 1). */
function noise(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/**
 * Three convolutions in the PP-LCNetV3 style: each followed by a scalar affine, hardswish spelled
 * as four ops, and another scalar affine. A 3x3 conv with padding, a 1x1 conv, a padded
 * depthwise conv; the last affine is the graph output. `clipAsInputs` writes Clip's bounds as
 * inputs (opset 11+) instead of attributes (opset 9).
 */
function lcnetLike(clipAsInputs: boolean): OnnxGraph {
  const init: OnnxInitializer[] = [];
  const nodes: OnnxNode[] = [];
  const constant = (name: string, dims: number[], values: number[]) => {
    init.push({ name, type: 'float', dims, data: floatData(values) });
    return name;
  };
  constant('three', [], [3]);
  constant('six', [], [6]);
  constant('zero', [], [0]);
  let value = 'x';
  const convs = [
    { kernel: 3, pads: 1, group: 1, inC: 3 },
    { kernel: 1, pads: 0, group: 1, inC: C },
    { kernel: 3, pads: 1, group: C, inC: 1 },
  ];
  convs.forEach((conv, i) => {
    const w = constant(`w${i}`, [C, conv.inC, conv.kernel, conv.kernel], noise(C * conv.inC * conv.kernel ** 2, 10 + i));
    const b = constant(`b${i}`, [C], noise(C, 20 + i));
    const affine = (input: string, tag: string, s: number, c: number, output: string) => {
      nodes.push({ op: 'Mul', inputs: [constant(`s${tag}`, [1], [s]), input], outputs: [`${tag}.scaled`] });
      nodes.push({ op: 'Add', inputs: [`${tag}.scaled`, constant(`c${tag}`, [1], [c])], outputs: [output] });
    };
    nodes.push({ op: 'Conv', inputs: [value, w, b], outputs: [`conv${i}`], attributes: { kernel_shape: [conv.kernel, conv.kernel], pads: Array(4).fill(conv.pads), group: conv.group } });
    affine(`conv${i}`, `out${i}`, 1.5 + i, 0.25 - i, `pre${i}`);
    if (i === convs.length - 1) {
      nodes.push({ op: 'Relu', inputs: [`pre${i}`], outputs: ['y.act'] });
      affine('y.act', 'y', 0.5, 0.1, 'y');
      return;
    }
    const p = `pre${i}`;
    nodes.push({ op: 'Add', inputs: [p, 'three'], outputs: [`hs${i}.a`] });
    if (clipAsInputs) nodes.push({ op: 'Clip', inputs: [`hs${i}.a`, 'zero', 'six'], outputs: [`hs${i}.c`] });
    else nodes.push({ op: 'Clip', inputs: [`hs${i}.a`], outputs: [`hs${i}.c`], floatAttributes: { min: 0, max: 6 } });
    nodes.push({ op: 'Mul', inputs: [p, `hs${i}.c`], outputs: [`hs${i}.m`] });
    nodes.push({ op: 'Div', inputs: [`hs${i}.m`, 'six'], outputs: [`hs${i}`] });
    affine(`hs${i}`, `in${i + 1}`, 0.75 - 0.5 * i, -0.3 + i, `act${i}`);
    value = `act${i}`;
  });
  return {
    inputs: [{ name: 'x', type: 'float', shape: ['N', 3, 8, 16] }],
    outputs: [{ name: 'y', type: 'float', shape: ['N', C, 8, 16] }],
    nodes,
    initializers: init,
    opset: clipAsInputs ? 13 : 9,
  };
}

/** Runs the model; `dir` is where its external data is found. */
async function run(model: Uint8Array, input: Float32Array, dir?: string): Promise<Float32Array> {
  const extra = dir ? { session: { model_external_initializers_file_folder_path: dir } } : {};
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled', extra });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', input, [2, 3, 8, 16]) });
    return out.y!.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('simplifyForInference', () => {
  for (const clipAsInputs of [false, true]) {
    it(`folds the affines and rewrites hardswish with the same outputs (Clip bounds as ${clipAsInputs ? 'inputs' : 'attributes'})`, async () => {
      const original = encodeOnnxModel(lcnetLike(clipAsInputs));
      const result = simplifyForInference(original);

      expect(result.changed).toBe(true);
      // a Mul and an Add after each of the 3 convs; the affines between them into the next two convs
      expect(result.report).toMatchObject({ outputAffinesFolded: 6, hardSwishes: 2, inputAffinesFolded: 2 });
      const ops = decodeModel(result.bytes).graph.nodes.map((n) => n.opType);
      expect(ops.filter((op) => op === 'Clip' || op === 'Div')).toEqual([]);
      expect(ops.filter((op) => op === 'HardSigmoid')).toHaveLength(2);
      // the padded depthwise conv keeps its input shift, as a BatchNormalization; the affine after the relu stays
      expect(ops).toEqual(['Conv', 'HardSigmoid', 'Mul', 'Conv', 'HardSigmoid', 'Mul', 'BatchNormalization', 'Conv', 'Relu', 'Mul', 'Add']);
      expect(result.report.nodesAfter).toBeLessThan(result.report.nodesBefore / 2);

      const input = Float32Array.from(noise(2 * 3 * 8 * 16, 7), (v) => v * 4);
      const [expected, actual] = [await run(original, input), await run(result.bytes, input)];
      expect(actual).toHaveLength(expected.length);
      const worst = Math.max(...expected.map((e, i) => Math.abs(e - actual[i]!) / Math.max(1, Math.abs(e))));
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it('leaves a value alone when something else reads it too', async () => {
    const graph = lcnetLike(true);
    // the first conv's output is also a graph output: its Mul/Add cannot move into the conv
    graph.outputs.push({ name: 'conv0', type: 'float', shape: ['N', C, 8, 16] });
    const result = simplifyForInference(encodeOnnxModel(graph));
    expect(result.report.outputAffinesFolded).toBe(4);
    const input = Float32Array.from(noise(2 * 3 * 8 * 16, 3));
    const session = await ort.InferenceSession.create(result.bytes);
    const out = await session.run({ x: new ort.Tensor('float32', input, [2, 3, 8, 16]) });
    expect(out.conv0!.dims).toEqual([2, C, 8, 16]);
    await session.release();
  });

  it('keeps the shape hints of values that still exist and drops those of values folded away', async () => {
    const graph = lcnetLike(true);
    graph.valueInfos = ['out0.scaled', 'pre0', 'hs0.c'].map((name) => ({ name, type: 'float', shape: ['N', C, 8, 16] }));
    const result = simplifyForInference(encodeOnnxModel(graph));
    expect(decodeModel(result.bytes).graph.valueInfos.map((v) => v.name)).toEqual(['pre0']);
    const input = Float32Array.from(noise(2 * 3 * 8 * 16, 5));
    expect(await run(result.bytes, input)).toHaveLength(2 * C * 8 * 16);
  });

  it('returns the very same bytes when there is nothing to simplify', () => {
    const bytes = encodeOnnxModel({
      inputs: [{ name: 'x', type: 'float', shape: ['N', 4] }],
      outputs: [{ name: 'y', type: 'float', shape: ['N', 4] }],
      nodes: [{ op: 'Mul', inputs: ['x', 'k'], outputs: ['y'] }],
      initializers: [{ name: 'k', type: 'float', dims: [], data: floatData([2]) }],
    });
    const result = simplifyForInference(bytes);
    expect(result).toMatchObject({ changed: false, bytes });
    expect(result.report.nodesAfter).toBe(1);
  });

  it('folds weights that stay in the model file, read from there, with the same result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-simplify-'));
    try {
      const original = encodeOnnxModel(lcnetLike(true));
      const path = join(dir, 'model.onnx');
      writeFileSync(path, original);
      // every tensor, scalars included, becomes a reference into the file
      const prepared = prepareModelFile(path, { minExternalBytes: 1 });
      expect(prepared.report).toEqual(simplifyForInference(original).report);
      expect(simplifyForInference(readModelSkeleton(path, 1).bytes).report.skipped).toBe('the model keeps tensors in external files');

      // a model whose weights are in a data file beside it: here, the first model file
      const withDataFile = join(dir, 'with-data-file.onnx');
      writeFileSync(withDataFile, readModelSkeleton(path, 1).bytes);
      const fromDataFile = prepareModelFile(withDataFile);
      expect(fromDataFile.report).toEqual(prepared.report);

      const input = Float32Array.from(noise(2 * 3 * 8 * 16, 11), (v) => v * 4);
      const expected = await run(original, input);
      for (const actual of [await run(prepared.bytes, input, dir), await run(fromDataFile.bytes, input, dir)]) {
        const worst = Math.max(...expected.map((e, i) => Math.abs(e - actual[i]!) / Math.max(1, Math.abs(e))));
        expect(worst).toBeLessThan(1e-5);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says where a damaged model breaks instead of guessing', () => {
    const bytes = encodeOnnxModel(lcnetLike(true));
    expect(() => simplifyForInference(bytes.subarray(0, bytes.length - 7))).toThrow(WireError);
    expect(() => simplifyForInference(new TextEncoder().encode('not a model at all'))).toThrow(/wire type|past the end|no graph/);
  });
});
