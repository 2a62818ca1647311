// SLANet / SLANet_plus (PaddleOCR table structure models, ONNX): the crop resized so its longer
// side is 488, BGR, ImageNet mean/std, padded with zeros to 488x488; out come, per decoding
// step, structure token probabilities [1,L,C] and a cell box [1,L,8] (four corners, normalised
// to the padded frame). Greedy decoding until 'eos': each `<td` / `<td></td>` token is a cell
// and takes the box of its step; span tokens set its colspan/rowspan; words fill cells by overlap.
import type { BBox, TextLine } from '@paperline/contracts';
import { assignWords, cellText } from './fill.js';
import type { TableCell, TableRow, TableStructure } from './structure.js';

export const SLANET_INPUT_SIZE = 488;
export const SLANET_MAX_STEPS = 500;
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;

export interface RgbCrop {
  /** RGB, 3 bytes a pixel, already resized by `slanetResize`. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** The size the crop is resized to: longer side 488, ratio kept (at least 1 px). */
export function slanetResize(width: number, height: number): { width: number; height: number; ratio: number } {
  const ratio = SLANET_INPUT_SIZE / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * ratio)), height: Math.max(1, Math.round(height * ratio)), ratio };
}

/** The model input x [1,3,488,488]: planes B, G, R normalised; the padding stays 0. */
export function slanetInput(crop: RgbCrop): Float32Array {
  const size = SLANET_INPUT_SIZE;
  const x = new Float32Array(3 * size * size);
  for (let y = 0; y < Math.min(size, crop.height); y++) {
    for (let col = 0; col < Math.min(size, crop.width); col++) {
      const i = (y * crop.width + col) * 3;
      const at = y * size + col;
      // plane 0 is blue: channel order BGR, the mean/std pairs in that plane order
      for (let plane = 0; plane < 3; plane++) x[plane * size * size + at] = (crop.data[i + 2 - plane]! / 255 - MEAN[plane]!) / STD[plane]!;
    }
  }
  return x;
}

/**
 * The token list of a structure dictionary as the model indexes it: 'sos', the dictionary with
 * '<td>' replaced by a '<td></td>' at its end (PaddleOCR's merge_no_span_structure), then 'eos'.
 */
export function structureTokens(dictionary: string): string[] {
  const entries = dictionary.split(/\r?\n/).filter((t) => t !== '' && t !== '<td>');
  if (!entries.includes('<td></td>')) entries.push('<td></td>');
  return ['sos', ...entries, 'eos'];
}

export interface SlanetOutputs {
  /** [L, C] row-major. */
  probs: Float32Array;
  steps: number;
  classes: number;
  /** [L, 8] row-major. */
  boxes: Float32Array;
}

export interface DecodedStructure {
  tokens: string[];
  /** One per cell token, in crop pixels. */
  cellBoxes: BBox[];
  /** Mean probability of the chosen tokens. */
  score: number;
}

/** Greedy decoding: argmax per step until 'eos' (at most 500 steps); cell boxes scaled back to the crop. */
export function decodeStructure(outputs: SlanetOutputs, tokens: readonly string[], ratio: number): DecodedStructure {
  if (outputs.classes !== tokens.length) throw new Error(`model has ${outputs.classes} structure classes, the dictionary ${tokens.length}`);
  const eos = tokens.indexOf('eos');
  const out: string[] = [];
  const cellBoxes: BBox[] = [];
  let scoreSum = 0;
  const scale = SLANET_INPUT_SIZE / ratio;
  for (let step = 0; step < Math.min(outputs.steps, SLANET_MAX_STEPS); step++) {
    let best = 0;
    let bestP = -Infinity;
    for (let c = 0; c < outputs.classes; c++) {
      const p = outputs.probs[step * outputs.classes + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best === eos) break;
    const token = tokens[best]!;
    if (token === 'sos') continue;
    out.push(token);
    scoreSum += bestP;
    if (token === '<td' || token === '<td></td>') {
      const b = outputs.boxes.subarray(step * 8, step * 8 + 8);
      const xs = [b[0]!, b[2]!, b[4]!, b[6]!].map((v) => v * scale);
      const ys = [b[1]!, b[3]!, b[5]!, b[7]!].map((v) => v * scale);
      cellBoxes.push([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]);
    }
  }
  return { tokens: out, cellBoxes, score: out.length ? scoreSum / out.length : 0 };
}

/** Structure tokens to rows of cells (boxes moved by `origin` onto the page), filled with `words`. */
export function structureToTable(decoded: DecodedStructure, words: readonly TextLine[], origin: readonly [number, number]): TableStructure {
  const rows: TableRow[] = [];
  const cells: TableCell[] = [];
  let header = false;
  let row: TableRow | undefined;
  let open: TableCell | undefined;
  let boxIndex = 0;
  const [ox, oy] = origin;
  const nextCell = (): TableCell => {
    const b = decoded.cellBoxes[boxIndex++] ?? [0, 0, 0, 0];
    const cell: TableCell = { text: '', rowspan: 1, colspan: 1, bbox: [b[0] + ox, b[1] + oy, b[2] + ox, b[3] + oy] };
    if (!row) rows.push((row = { cells: [], header }));
    row.cells.push(cell);
    cells.push(cell);
    return cell;
  };
  for (const token of decoded.tokens) {
    const span = /^ (colspan|rowspan)="(\d+)"$/.exec(token);
    if (token === '<thead>') header = true;
    else if (token === '</thead>') header = false;
    else if (token === '<tr>') rows.push((row = { cells: [], header }));
    else if (token === '</tr>') row = undefined;
    else if (token === '<td></td>') nextCell();
    else if (token === '<td') open = nextCell();
    else if (span && open) open[span[1] as 'colspan' | 'rowspan'] = Number(span[2]);
    else if (token === '</td>') open = undefined;
  }
  const filled = assignWords(cells.map((c) => c.bbox), words);
  cells.forEach((cell, i) => (cell.text = cellText(filled[i]!)));
  return { rows: rows.filter((r) => r.cells.length > 0) };
}
