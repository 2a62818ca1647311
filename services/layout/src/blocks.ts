// Text lines to paragraphs. Geometry first (vision's groupLinesIntoBlocks: vertical gap, overlap,
// height), then the text layer's extra knowledge splits what geometry alone would merge: a change
// of font size or weight (a heading over its paragraph), a list marker, a first-line indent.
import type { BBox } from '@paperline/contracts';
import { groupLinesIntoBlocks, unionBoxes } from '@paperline/vision';
import type { TextLayerLine } from './lines.js';

export interface LineGroup {
  bbox: BBox;
  lines: TextLayerLine[];
}

/** A bullet, or a number/letter with '.' or ')', then a space. */
export const LIST_MARKER = /^(?:[•◦▪▫‣∙·●○■□➢►–—\-*]\s*|(?:\(?\d{1,3}|[a-z]|[ivx]{1,5})[.)]\s+|[A-Z]\)\s+)\S/;

/** Sizes closer than this ratio are the same style. */
const SAME_SIZE = 1.12;
/** A first line indented by at least this many font sizes starts a paragraph. */
const INDENT = 0.8;
/** A line ending this many font sizes short of the block's right edge ends a paragraph. */
const SHORT_LINE = 2;
/** Two lines in a row this share of the block's width short are items of their own. */
const ITEM_SHORT = 0.25;

export function groupBlocks(lines: readonly TextLayerLine[]): LineGroup[] {
  // text-layer lines are whole already: another line on the same row is another column, never the same line
  const groups = groupLinesIntoBlocks([...lines], { maxLineGap: 0.9, maxHeightRatio: 1.35, maxRowGap: 0 });
  return groups.flatMap((group) => splitGroup(group.lines)).map((lines) => ({ bbox: unionBoxes(lines.map((l) => l.bbox)), lines }));
}

function sameSize(a: TextLayerLine, b: TextLayerLine): boolean {
  return Math.max(a.size, b.size) / Math.max(0.1, Math.min(a.size, b.size)) < SAME_SIZE;
}

function splitGroup(lines: TextLayerLine[]): TextLayerLine[][] {
  if (lines.length <= 1) return [lines];
  const right = Math.max(...lines.map((l) => l.bbox[2]));
  const width = right - Math.min(...lines.map((l) => l.bbox[0]));
  /** Ends a good way short of the block's right edge: a line of its own, not a paragraph's last one before a long line. */
  const item = (l: TextLayerLine) => right - l.bbox[2] >= ITEM_SHORT * width;
  const parts: TextLayerLine[][] = [[lines[0]!]];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const previous = lines[i - 1]!;
    const next = lines[i + 1];
    const current = parts[parts.length - 1]!;
    // the indent against the lines around, not the whole group: geometry may join an abstract set
    // in from the column below it into one group
    const left = Math.min(previous.bbox[0], next?.bbox[0] ?? previous.bbox[0]);
    const sameRow = line.bbox[1] < previous.bbox[3] - 0.3 * line.size;
    const short = (l: TextLayerLine) => right - l.bbox[2] >= SHORT_LINE * line.size;
    const previousShort = short(previous) || /[.:!?]$/.test(previous.text);
    // a bold line that fills the column and runs on is a run-in heading: it stays with its paragraph
    const weightBreak = line.bold !== previous.bold && (previousShort || short(line));
    const styleBreak = (!sameSize(line, previous) || weightBreak) && !sameRow;
    const listBreak = LIST_MARKER.test(line.text) && !sameRow;
    const indented = line.bbox[0] - left >= INDENT * line.size;
    // two short lines in a row are items of their own (a list whose bullets are drawn, not text)
    const paragraphBreak = (indented || (item(previous) && item(line))) && previousShort && !sameRow && !LIST_MARKER.test(current[0]!.text);
    if (styleBreak || listBreak || paragraphBreak) parts.push([line]);
    else current.push(line);
  }
  return parts;
}
