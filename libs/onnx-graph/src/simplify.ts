// Exact graph simplifications for inference. Models exported from Paddle (the PP-OCR family)
// spell out what onnxruntime cannot fuse on its own: every convolution of PP-LCNetV3 is followed
// by a scalar affine `x*s + b` (the "learnable affine block"), hardswish as four ops
// `x * clip(x + 3, 0, 6) / 6`, and another scalar affine. Each of those elementwise ops is a pass
// over the whole activation: half of the recogniser's time on a CPU. Folding the affines into the
// convolutions' weights and writing hardswish as x * HardSigmoid(x) computes the same function
// with a third of the passes (outputs agree to float rounding).
import { decodeModel, encodeModel, floatAttribute, floatTensor, node, OnnxTypes, type ExternalRef, type GraphData, type ModelData, type NodeData, type TensorData } from './model.js';
import { concat } from './wire.js';

export interface SimplifyReport {
  /** Scalar Mul/Add after a Conv folded into its weights and bias. */
  outputAffinesFolded: number;
  /** Scalar Mul/Add before a Conv folded into its weights (and bias, where the Conv pads nothing). */
  inputAffinesFolded: number;
  /** `x * clip(x + 3, 0, 6) / 6` written as `x * HardSigmoid(x)`. */
  hardSwishes: number;
  nodesBefore: number;
  nodesAfter: number;
  /** Why nothing was attempted, when nothing was. */
  skipped?: string;
}

export interface SimplifyResult {
  /** The simplified model; the input itself when nothing changed. */
  bytes: Uint8Array;
  changed: boolean;
  report: SimplifyReport;
}

export interface SimplifyOptions {
  /**
   * Reads an external tensor's bytes (see readExternal). Without it a model with external tensors
   * comes back unchanged; with it, only the weights of convolutions that are folded are read.
   */
  readExternal?: (ref: ExternalRef) => Uint8Array;
}

/** Simplifies an ONNX model's graph for inference; a model it cannot read safely comes back unchanged. */
export function simplifyForInference(bytes: Uint8Array, options: SimplifyOptions = {}): SimplifyResult {
  const model = decodeModel(bytes, options.readExternal ? { readExternal: options.readExternal } : {});
  const report: SimplifyReport = { outputAffinesFolded: 0, inputAffinesFolded: 0, hardSwishes: 0, nodesBefore: model.graph.nodes.length, nodesAfter: model.graph.nodes.length };
  const skipped = reasonToSkip(model, options.readExternal !== undefined);
  if (skipped) return { bytes, changed: false, report: { ...report, skipped } };
  const g = model.graph;
  const names = new FreshNames(g);
  report.outputAffinesFolded = repeat(() => foldOutputAffine(g, names));
  report.hardSwishes = repeat(() => hardSwishAsHardSigmoid(g));
  report.inputAffinesFolded = repeat(() => foldInputAffine(g, names, model.opset));
  removeUnused(g);
  report.nodesAfter = g.nodes.length;
  const changed = report.outputAffinesFolded + report.hardSwishes + report.inputAffinesFolded > 0;
  return { bytes: changed ? concat(encodeModel(model)) : bytes, changed, report };
}

function reasonToSkip(model: ModelData, readsExternal: boolean): string | undefined {
  const g = model.graph;
  // values used inside a subgraph are invisible to the consumer counts below
  if (g.nodes.some((n) => n.attributes.some((a) => a.hasGraph))) return 'the graph has subgraphs';
  const tensors = [...g.initializers, ...g.nodes.flatMap((n) => n.attributes.flatMap((a) => (a.t ? [a.t] : [])))];
  // a model rewritten into a buffer can no longer find data files beside it, unless told where they are
  if (!readsExternal && tensors.some((t) => t.external)) return 'the model keeps tensors in external files';
  return undefined;
}

function repeat(step: () => boolean): number {
  let count = 0;
  while (step()) count += 1;
  return count;
}

/** Who produces and who consumes each value, and the graph's constants; rebuilt after each change. */
class GraphIndex {
  readonly consumers = new Map<string, NodeData[]>();
  readonly producer = new Map<string, NodeData>();
  readonly constants = new Map<string, TensorData>();
  private readonly graphOutputs: Set<string>;

  constructor(readonly graph: GraphData) {
    this.graphOutputs = new Set(graph.outputNames);
    for (const t of graph.initializers) this.constants.set(t.name, t);
    for (const n of graph.nodes) {
      for (const input of n.inputs) {
        if (!input) continue;
        const list = this.consumers.get(input);
        if (list) list.push(n);
        else this.consumers.set(input, [n]);
      }
      for (const output of n.outputs) this.producer.set(output, n);
      const value = n.opType === 'Constant' && n.domain === '' ? n.attributes.find((a) => a.name === 'value')?.t : undefined;
      if (value && n.outputs[0]) this.constants.set(n.outputs[0], value);
    }
  }

  /** The one node that reads `value`, if it is of `opType` and `value` is not a graph output. */
  soleConsumer(value: string, opTypes: readonly string[]): NodeData | undefined {
    if (this.graphOutputs.has(value)) return undefined;
    const list = this.consumers.get(value);
    const only = list?.length === 1 ? list[0] : undefined;
    return only && only.domain === '' && opTypes.includes(only.opType) ? only : undefined;
  }

  producedBy(value: string, opType: string): NodeData | undefined {
    const p = this.producer.get(value);
    return p && p.domain === '' && p.opType === opType ? p : undefined;
  }

  /** A one-element float constant of rank 0 or 1 (a higher rank would broadcast the other operand's shape). */
  scalar(value: string): number | undefined {
    const t = this.constants.get(value);
    // the shape first: a large tensor is not read just to learn that it is not a scalar
    if (!t || t.dims.length > 1 || elements(t.dims) !== 1) return undefined;
    return t.floats?.length === 1 ? t.floats[0] : undefined;
  }

  /** For a binary node with one scalar constant operand: [the other operand, the scalar]. */
  scalarOperand(n: NodeData): [string, number] | undefined {
    const [a, b] = n.inputs;
    if (a === undefined || b === undefined || n.inputs.length !== 2) return undefined;
    const sb = this.scalar(b);
    if (sb !== undefined) return [a, sb];
    const sa = this.scalar(a);
    return sa !== undefined ? [b, sa] : undefined;
  }
}

const elements = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** A Conv whose weights (and bias, if any) are float constants; their values are read when a fold needs them. */
interface ConstConv {
  conv: NodeData;
  dims: number[];
  /** The weights and bias as floats, or undefined where they cannot be read (external, without a reader). */
  values(): { weights: Float32Array; bias: Float32Array } | undefined;
}

function constConv(index: GraphIndex, conv: NodeData): ConstConv | undefined {
  if (conv.opType !== 'Conv' || conv.domain !== '') return undefined;
  const [, w, b] = conv.inputs;
  const weights = w ? index.constants.get(w) : undefined;
  if (weights?.dataType !== OnnxTypes.float || weights.dims.length < 3) return undefined;
  const dims = weights.dims;
  const outChannels = dims[0]!;
  const bias = b ? index.constants.get(b) : undefined;
  if (b && (bias?.dataType !== OnnxTypes.float || elements(bias.dims) !== outChannels)) return undefined;
  return {
    conv,
    dims,
    values() {
      const values = weights.floats;
      const biasValues = bias ? bias.floats : new Float32Array(outChannels);
      return values && biasValues?.length === outChannels && values.length === elements(dims) ? { weights: values, bias: biasValues } : undefined;
    },
  };
}

/** Conv -> Mul(s) or Add(c) by a scalar: W*s, b*s (or b+c). */
function foldOutputAffine(g: GraphData, names: FreshNames): boolean {
  const index = new GraphIndex(g);
  for (const n of g.nodes) {
    const c = constConv(index, n);
    const y = n.outputs[0];
    if (!c || !y) continue;
    const next = index.soleConsumer(y, ['Mul', 'Add']);
    const operand = next && index.scalarOperand(next);
    if (!next || !operand || operand[0] !== y) continue;
    const values = c.values();
    if (!values) continue;
    const [, k] = operand;
    const scale = next.opType === 'Mul' ? k : 1;
    const shift = next.opType === 'Add' ? k : 0;
    setConvConstants(g, names, c, values.weights.map((v) => v * scale), values.bias.map((v) => v * scale + shift));
    n.outputs[0] = next.outputs[0]!;
    remove(g, next);
    return true;
  }
  return false;
}

/** y -> Add(3) -> Clip(0, 6) -> Mul(y, .) -> Div(6)  becomes  y -> HardSigmoid(1/6, 1/2) -> Mul(y, .). */
function hardSwishAsHardSigmoid(g: GraphData): boolean {
  const index = new GraphIndex(g);
  for (const add of g.nodes) {
    if (add.opType !== 'Add' || add.domain !== '') continue;
    const operand = index.scalarOperand(add);
    if (!operand || operand[1] !== 3) continue;
    const [y] = operand;
    const clip = index.soleConsumer(add.outputs[0]!, ['Clip']);
    if (!clip || clipBounds(index, clip)?.join() !== '0,6') continue;
    const mul = index.soleConsumer(clip.outputs[0]!, ['Mul']);
    if (!mul || !mul.inputs.includes(y) || !mul.inputs.includes(clip.outputs[0]!)) continue;
    const div = index.soleConsumer(mul.outputs[0]!, ['Div']);
    if (!div || div.inputs[0] !== mul.outputs[0] || index.scalar(div.inputs[1] ?? '') !== 6) continue;
    const gate = add.outputs[0]!;
    const hardSigmoid = node('HardSigmoid', [y], [gate], [floatAttribute('alpha', 1 / 6), floatAttribute('beta', 0.5)], add.name);
    const product = node('Mul', [y, gate], [div.outputs[0]!], [], mul.name);
    g.nodes.splice(g.nodes.indexOf(add), 1, hardSigmoid, product);
    for (const old of [clip, mul, div]) remove(g, old);
    return true;
  }
  return false;
}

/** Clip's bounds: attributes before opset 11, constant inputs after. */
function clipBounds(index: GraphIndex, clip: NodeData): [number, number] | undefined {
  const attribute = (name: string) => {
    const a = clip.attributes.find((x) => x.name === name);
    return a ? (a.f ?? 0) : undefined;
  };
  const min = clip.inputs[1] ? index.scalar(clip.inputs[1]) : attribute('min');
  const max = clip.inputs[2] ? index.scalar(clip.inputs[2]) : attribute('max');
  return min === undefined || max === undefined ? undefined : [min, max];
}

/**
 * x -> Mul(s) [-> Add(c)] -> Conv. The scale always folds into the weights (zero padding of s*x is
 * zero padding of x). The shift folds into the bias only where the Conv pads nothing (padding
 * would add c at the borders); elsewhere it stays before the Conv as x + c/s, written as a
 * BatchNormalization: onnxruntime keeps that in its blocked (NCHWc) layout, where an Add of a
 * scalar would cost a reorder out of the layout and one back in, three passes instead of one.
 */
function foldInputAffine(g: GraphData, names: FreshNames, opset: number): boolean {
  const index = new GraphIndex(g);
  for (const n of g.nodes) {
    const c = constConv(index, n);
    const input = n.inputs[0];
    if (!c || !input) continue;
    let add = index.producedBy(input, 'Add');
    let shift = 0;
    let scaled = input;
    if (add && index.soleConsumer(input, ['Conv']) === n) {
      const operand = index.scalarOperand(add);
      if (!operand) continue;
      [scaled, shift] = operand;
    } else {
      add = undefined;
    }
    const mul = index.producedBy(scaled, 'Mul');
    const operand = mul && index.soleConsumer(scaled, ['Add', 'Conv']) === (add ?? n) ? index.scalarOperand(mul) : undefined;
    const values = mul && operand && operand[1] !== 0 ? c.values() : undefined;
    if (!mul || !operand || !values) continue;
    const [x, scale] = operand;
    if (add && padsNothing(n)) {
      const perOutput = values.weights.length / values.bias.length;
      const bias = values.bias.map((b, o) => {
        let sum = 0;
        for (let i = o * perOutput; i < (o + 1) * perOutput; i += 1) sum += values.weights[i]!;
        return b + shift * sum;
      });
      setConvConstants(g, names, c, values.weights.map((v) => v * scale), bias);
      n.inputs[0] = x;
      remove(g, add);
    } else {
      setConvConstants(g, names, c, values.weights.map((v) => v * scale), values.bias);
      if (add) g.nodes.splice(g.nodes.indexOf(add), 1, shiftNode(g, names, x, add, shift / scale, inputChannels(c), opset));
      else n.inputs[0] = x;
    }
    remove(g, mul);
    return true;
  }
  return false;
}

/** x + shift, as BatchNormalization(scale 1, bias shift, mean 0, variance 1, epsilon 0) where the opset has it in that form. */
function shiftNode(g: GraphData, names: FreshNames, x: string, add: NodeData, shift: number, channels: number, opset: number): NodeData {
  const label = add.outputs[0]!;
  if (opset < 9) {
    const shiftName = names.next(`${label}.shift`);
    g.initializers.push(floatTensor(shiftName, [], Float32Array.of(shift)));
    return node('Add', [x, shiftName], [label], [], add.name);
  }
  const constant = (part: string, value: number) => {
    const name = names.next(`${label}.${part}`);
    g.initializers.push(floatTensor(name, [channels], new Float32Array(channels).fill(value)));
    return name;
  };
  const inputs = [x, constant('scale', 1), constant('shift', shift), constant('mean', 0), constant('variance', 1)];
  return node('BatchNormalization', inputs, [label], [floatAttribute('epsilon', 0)], add.name);
}

function inputChannels(c: ConstConv): number {
  const group = c.conv.attributes.find((a) => a.name === 'group')?.i ?? 1;
  return c.dims[1]! * group;
}

function padsNothing(conv: NodeData): boolean {
  const pads = conv.attributes.find((a) => a.name === 'pads')?.ints ?? [];
  const autoPad = conv.attributes.find((a) => a.name === 'auto_pad')?.s ?? 'NOTSET';
  return pads.every((p) => p === 0) && (autoPad === 'NOTSET' || autoPad === 'VALID');
}

function setConvConstants(g: GraphData, names: FreshNames, c: ConstConv, weights: Float32Array, bias: Float32Array): void {
  const label = c.conv.name || c.conv.outputs[0]!;
  const w = names.next(`${label}.folded_weights`);
  const b = names.next(`${label}.folded_bias`);
  g.initializers.push(floatTensor(w, c.dims, weights), floatTensor(b, [bias.length], bias));
  c.conv.inputs = [c.conv.inputs[0]!, w, b];
}

function remove(g: GraphData, n: NodeData): void {
  g.nodes.splice(g.nodes.indexOf(n), 1);
}

/**
 * Drops Constant nodes and initializers nothing reads any more (the weights replaced by folded
 * ones), and the shape hints of values no node produces now. A name the rewrite reuses keeps its
 * hint: every rewrite here preserves the value's shape and type.
 */
function removeUnused(g: GraphData): void {
  const used = new Set([...g.outputNames, ...g.inputNames]);
  for (const n of g.nodes) for (const i of n.inputs) used.add(i);
  g.nodes = g.nodes.filter((n) => !(n.opType === 'Constant' && n.domain === '' && n.outputs.every((o) => !used.has(o))));
  g.initializers = g.initializers.filter((t) => used.has(t.name));
  const produced = new Set(g.nodes.flatMap((n) => n.outputs));
  g.valueInfos = g.valueInfos.filter((v) => produced.has(v.name));
}

/** Names not yet used in the graph, for the tensors the rewrite adds. */
class FreshNames {
  private readonly taken = new Set<string>();
  private counter = 0;

  constructor(g: GraphData) {
    for (const t of g.initializers) this.taken.add(t.name);
    for (const n of g.nodes) for (const v of [...n.inputs, ...n.outputs]) this.taken.add(v);
  }

  next(hint: string): string {
    let name: string;
    do name = `${hint}_${(this.counter += 1)}`;
    while (this.taken.has(name));
    this.taken.add(name);
    return name;
  }
}
