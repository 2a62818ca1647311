// Generated ONNX models for tests (written with @paperline/onnx-graph's model builder).
import { floatData, type OnnxDim, type OnnxGraph } from '@paperline/onnx-graph';

export { encodeOnnxModel, writeOnnxModel, floatData, type OnnxDim, type OnnxGraph, type OnnxNode, type OnnxInitializer, type OnnxValueInfo, type OnnxType } from '@paperline/onnx-graph';

export interface ScaleModelSpec {
  /** @default 'x' */
  input?: string;
  /** @default 'y' */
  output?: string;
  /** @default ['N', 4] */
  shape?: OnnxDim[];
  /** y = x * scale. @default 2 */
  scale?: number;
}

/** A tiny float model y = x * scale with the given names and shape: for IO plumbing tests. */
export function scaleModel(spec: ScaleModelSpec = {}): OnnxGraph {
  const shape = spec.shape ?? ['N', 4];
  const scale = floatData([spec.scale ?? 2]);
  return {
    inputs: [{ name: spec.input ?? 'x', type: 'float', shape }],
    outputs: [{ name: spec.output ?? 'y', type: 'float', shape }],
    nodes: [{ op: 'Mul', inputs: [spec.input ?? 'x', 'scale'], outputs: [spec.output ?? 'y'] }],
    initializers: [{ name: 'scale', type: 'float', dims: [], data: scale }],
  };
}

export interface LargeModelSpec {
  /** Size of the weight table; rounded down to whole rows. */
  bytes: number;
  /** Floats per row. @default 256 */
  rowWidth?: number;
  /** int64 [N] row indices. @default 'ids' */
  input?: string;
  /** float [N, rowWidth] rows. @default 'rows' */
  output?: string;
  /**
   * Also an input `axes` (int64 [1]) and an output `sums` = ReduceSum(table, axes): a run that reads
   * every weight, so that all of them are resident after it (memory-mapped weights come in as read).
   * @default false
   */
  sums?: boolean;
}

/**
 * A model whose weight table of `bytes` must stay resident: `rows = Gather(table, ids)`.
 * Gather depends on the input, so the runtime cannot fold the table away, and running it is cheap.
 * The table is filled with a non-zero pattern, so every page is really touched.
 */
export function largeModel(spec: LargeModelSpec): OnnxGraph {
  const width = spec.rowWidth ?? 256;
  const rows = Math.max(1, Math.floor(spec.bytes / (4 * width)));
  const table = new Float32Array(rows * width);
  for (let i = 0; i < table.length; i += 1) table[i] = (i % 251) / 251;
  const input = spec.input ?? 'ids';
  const output = spec.output ?? 'rows';
  const graph: OnnxGraph = {
    inputs: [{ name: input, type: 'int64', shape: ['N'] }],
    outputs: [{ name: output, type: 'float', shape: ['N', width] }],
    nodes: [{ op: 'Gather', inputs: ['table', input], outputs: [output], attributes: { axis: 0 } }],
    initializers: [{ name: 'table', type: 'float', dims: [rows, width], data: new Uint8Array(table.buffer) }],
  };
  if (spec.sums) {
    // axes is an input, so the sum cannot be folded into a constant when the model loads
    graph.inputs.push({ name: 'axes', type: 'int64', shape: [1] });
    graph.outputs.push({ name: 'sums', type: 'float', shape: [1, width] });
    graph.nodes.push({ op: 'ReduceSum', inputs: ['table', 'axes'], outputs: ['sums'], attributes: { keepdims: 1 } });
  }
  return graph;
}

export interface TableStructureModelSpec {
  /** Class index chosen at each step (the rest of the steps repeat the last one). */
  tokens: number[];
  /** Number of structure classes C (30 for SLANet, 50 for SLANet_plus). */
  classes: number;
  /** Decoding steps L. @default tokens.length + 2 */
  steps?: number;
  /** Cell box [8] of each step (normalised to the 488 frame); missing steps are zeros. */
  boxes: number[][];
  /**
   * Added to box coordinate k of every step: sum over planes p of weights[p][k] * mean of input plane p.
   * Lets a test see the preprocessing (channel order, normalisation, padding) in the decoded boxes.
   * @default zeros
   */
  planeWeights?: [number[], number[], number[]];
}

/**
 * A table structure model with SLANet's signature: x [1,3,488,488] in; cell boxes [1,L,8] and
 * structure probabilities [1,L,C] out (one-hot 0.9 on the chosen class). The boxes depend on
 * the input through the per-plane means, so preprocessing is checked, not only decoding.
 */
export function tableStructureModel(spec: TableStructureModelSpec): OnnxGraph {
  const steps = spec.steps ?? spec.tokens.length + 2;
  const probs = new Float32Array(steps * spec.classes).fill(0.1 / Math.max(1, spec.classes - 1));
  for (let s = 0; s < steps; s++) probs[s * spec.classes + (spec.tokens[Math.min(s, spec.tokens.length - 1)] ?? 0)] = 0.9;
  const boxes = new Float32Array(steps * 8);
  spec.boxes.forEach((box, s) => box.forEach((v, k) => (boxes[s * 8 + k] = v)));
  // W [3, L*8]: plane means -> per-step coordinate offsets
  const weights = new Float32Array(3 * steps * 8);
  for (let p = 0; p < 3; p++) for (let s = 0; s < steps; s++) for (let k = 0; k < 8; k++) weights[p * steps * 8 + s * 8 + k] = spec.planeWeights?.[p]?.[k] ?? 0;
  return {
    inputs: [{ name: 'x', type: 'float', shape: [1, 3, 488, 488] }],
    outputs: [
      { name: 'boxes', type: 'float', shape: [1, steps, 8] },
      { name: 'probs', type: 'float', shape: [1, steps, spec.classes] },
    ],
    nodes: [
      { op: 'ReduceMean', inputs: ['x'], outputs: ['means'], attributes: { axes: [2, 3], keepdims: 0 } },
      { op: 'MatMul', inputs: ['means', 'weights'], outputs: ['offsets'] },
      { op: 'Add', inputs: ['offsets', 'baseBoxes'], outputs: ['flatBoxes'] },
      { op: 'Reshape', inputs: ['flatBoxes', 'boxShape'], outputs: ['boxes'] },
      { op: 'Identity', inputs: ['structure'], outputs: ['probs'] },
    ],
    initializers: [
      { name: 'weights', type: 'float', dims: [3, steps * 8], data: floatData(weights) },
      { name: 'baseBoxes', type: 'float', dims: [1, steps * 8], data: floatData(boxes) },
      { name: 'boxShape', type: 'int64', dims: [3], data: new Uint8Array(BigInt64Array.from([1n, BigInt(steps), 8n]).buffer) },
      { name: 'structure', type: 'float', dims: [1, steps, spec.classes], data: floatData(probs) },
    ],
  };
}

export interface DocLayoutModelSpec {
  architecture: 'picodet-gfl' | 'rt-detr';
  /** Network input size. */
  height: number;
  width: number;
}

/**
 * A model with PP-DocLayout's signature (inputs `image` [1,3,H,W], `scale_factor` [1,2] and, for
 * RT-DETR, `im_shape` [1,2]; outputs [3,6] rows and a count of 2) whose rows show what it was fed:
 * - row 0, class 2 (text), score 0.95: the network-input box [W/4, H/8, 3W/4, 3H/8] divided by
 *   [sw, sh, sw, sh] from scale_factor = [sh, sw], as a real export maps boxes back;
 * - row 1, class 8 (table), score 0.6: [100 + 10 m0, 100 + 10 m1, 200 + 10 m2, 150 + imH], where
 *   m0..m2 are the means of the three input planes and imH is im_shape[0] (0 without im_shape);
 * - row 2, class 11, score 0.99: past the count, so a decoder must ignore it.
 */
export function docLayoutModel(spec: DocLayoutModelSpec): OnnxGraph {
  const { height: h, width: w } = spec;
  const rtDetr = spec.architecture === 'rt-detr';
  const f = (name: string, dims: number[], values: number[]) => ({ name, type: 'float' as const, dims, data: floatData(values) });
  const nodes: OnnxGraph['nodes'] = [
    { op: 'ReduceMean', inputs: ['image'], outputs: ['means'], attributes: { axes: [2, 3], keepdims: 0 } },
    { op: 'MatMul', inputs: ['means', 'planesToBox'], outputs: ['meanTerms'] },
    { op: 'Add', inputs: ['meanTerms', 'offsets'], outputs: rtDetr ? ['rowNoShape'] : ['row1'] },
    { op: 'MatMul', inputs: ['scale_factor', 'spread'], outputs: ['scales'] },
    { op: 'Div', inputs: ['netBox', 'scales'], outputs: ['row0'] },
    { op: 'Concat', inputs: ['row0', 'row1', 'row2'], outputs: ['boxes'], attributes: { axis: 0 } },
    { op: 'Concat', inputs: ['heads', 'boxes'], outputs: ['dets'], attributes: { axis: 1 } },
    { op: 'Identity', inputs: ['countValue'], outputs: ['count'] },
  ];
  if (rtDetr) {
    nodes.push({ op: 'MatMul', inputs: ['im_shape', 'heightToY2'], outputs: ['shapeTerm'] }, { op: 'Add', inputs: ['rowNoShape', 'shapeTerm'], outputs: ['row1'] });
  }
  return {
    inputs: [
      { name: 'image', type: 'float', shape: [1, 3, h, w] },
      ...(rtDetr ? [{ name: 'im_shape', type: 'float' as const, shape: [1, 2] }] : []),
      { name: 'scale_factor', type: 'float', shape: [1, 2] },
    ],
    outputs: [
      { name: 'dets', type: 'float', shape: [3, 6] },
      { name: 'count', type: 'int64', shape: [1] },
    ],
    nodes,
    initializers: [
      f('planesToBox', [3, 4], [10, 0, 0, 0, 0, 10, 0, 0, 0, 0, 10, 0]),
      f('offsets', [1, 4], [100, 100, 200, 150]),
      f('spread', [2, 4], [0, 1, 0, 1, 1, 0, 1, 0]),
      f('netBox', [1, 4], [w / 4, h / 8, (3 * w) / 4, (3 * h) / 8]),
      f('row2', [1, 4], [1, 1, 50, 50]),
      f('heads', [3, 2], [2, 0.95, 8, 0.6, 11, 0.99]),
      ...(rtDetr ? [f('heightToY2', [2, 4], [0, 0, 0, 1, 0, 0, 0, 0])] : []),
      { name: 'countValue', type: 'int64', dims: [1], data: new Uint8Array(BigInt64Array.from([2n]).buffer) },
    ],
  };
}

const int64Data = (values: readonly number[]) => new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);

/**
 * A formula encoder with PP-FormulaNet's signature: `pixel_values` [1,1,S,S] to
 * `last_hidden_state` [1,1,1] holding the mean of the normalised input (1.19 for a white crop).
 */
export function formulaEncoderModel(size: number): OnnxGraph {
  return {
    inputs: [{ name: 'pixel_values', type: 'float', shape: [1, 1, size, size] }],
    outputs: [{ name: 'last_hidden_state', type: 'float', shape: [1, 1, 1] }],
    nodes: [
      { op: 'ReduceMean', inputs: ['pixel_values'], outputs: ['mean4'], attributes: { axes: [1, 2, 3], keepdims: 1 } },
      { op: 'Reshape', inputs: ['mean4', 'shape3'], outputs: ['last_hidden_state'] },
    ],
    initializers: [{ name: 'shape3', type: 'int64', dims: [3], data: int64Data([1, 1, 1]) }],
  };
}

export interface FormulaDecoderSpec {
  /** The token the decoder predicts after each prefix length (position p: after p + 1 ids). */
  steps: number[];
  vocabSize: number;
  /** At the first step this token wins over steps[0] when the encoder's mean exceeds `threshold`. */
  bright: { token: number; threshold: number };
}

/**
 * A decoder with the signature `input_ids` int64 [1,L], `encoder_hidden_states` [1,T,D] to
 * `logits` [1,L,V]: row p scores steps[p] (10, or `threshold` at p = 0), and the bright token
 * scores the encoder's mean at every step, so what the crop looks like decides the first token.
 */
export function formulaDecoderModel(spec: FormulaDecoderSpec): OnnxGraph {
  const v = spec.vocabSize;
  const table = new Float32Array(spec.steps.length * v);
  spec.steps.forEach((token, p) => (table[p * v + token] = p === 0 ? spec.bright.threshold : 10));
  const weights = new Float32Array(v);
  weights[spec.bright.token] = 1;
  return {
    inputs: [
      { name: 'input_ids', type: 'int64', shape: [1, 'L'] },
      { name: 'encoder_hidden_states', type: 'float', shape: [1, 'T', 'D'] },
    ],
    outputs: [{ name: 'logits', type: 'float', shape: [1, 'L', v] }],
    nodes: [
      { op: 'Shape', inputs: ['input_ids'], outputs: ['idsShape'] },
      { op: 'Gather', inputs: ['idsShape', 'one'], outputs: ['length'], attributes: { axis: 0 } },
      { op: 'Range', inputs: ['zero', 'length', 'one'], outputs: ['positions'] },
      { op: 'Gather', inputs: ['table', 'positions'], outputs: ['rows'], attributes: { axis: 0 } },
      { op: 'Unsqueeze', inputs: ['rows', 'axis0'], outputs: ['rows3'] },
      { op: 'ReduceMean', inputs: ['encoder_hidden_states'], outputs: ['hidden'], attributes: { axes: [1, 2], keepdims: 1 } },
      { op: 'Mul', inputs: ['hidden', 'weights'], outputs: ['bias'] },
      { op: 'Add', inputs: ['rows3', 'bias'], outputs: ['logits'] },
    ],
    initializers: [
      { name: 'zero', type: 'int64', dims: [], data: int64Data([0]) },
      { name: 'one', type: 'int64', dims: [], data: int64Data([1]) },
      { name: 'axis0', type: 'int64', dims: [1], data: int64Data([0]) },
      { name: 'table', type: 'float', dims: [spec.steps.length, v], data: new Uint8Array(table.buffer) },
      { name: 'weights', type: 'float', dims: [v], data: new Uint8Array(weights.buffer) },
    ],
  };
}

/**
 * A tokenizer.json of the Nougat/UniMERNet kind (byte-level BPE; ids 0-3 are <s>, <pad>, </s>,
 * <unk>) whose vocabulary is `tokens` from id 4 on. Byte-level tokens spell a space as 'Ġ'.
 */
export function formulaTokenizerJson(tokens: readonly string[]): Record<string, unknown> {
  const specials = ['<s>', '<pad>', '</s>', '<unk>'];
  const vocab = Object.fromEntries([...specials, ...tokens].map((t, id) => [t, id]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab, merges: [] },
  };
}
