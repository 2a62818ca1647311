// Cells filled with the region's words: each word goes to the cell it overlaps most (the nearest
// cell when it overlaps none, so no word is lost), then a cell's words are read line by line.
import type { BBox, TextLine } from '@paperline/contracts';
import { boxHeight, boxWidth, joinLines, overlap1d } from '@paperline/vision';

const centre = (b: BBox): [number, number] => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];

function intersection(a: BBox, b: BBox): number {
  return overlap1d(a[0], a[2], b[0], b[2]) * overlap1d(a[1], a[3], b[1], b[3]);
}

function distanceToBox(point: [number, number], b: BBox): number {
  const dx = Math.max(b[0] - point[0], 0, point[0] - b[2]);
  const dy = Math.max(b[1] - point[1], 0, point[1] - b[3]);
  return Math.hypot(dx, dy);
}

/** For each cell box, the words that belong to it, in reading order. */
export function assignWords(cells: readonly BBox[], words: readonly TextLine[]): TextLine[][] {
  const out: TextLine[][] = cells.map(() => []);
  if (cells.length === 0) return out;
  for (const word of words) {
    let best = -1;
    let bestScore = 0;
    cells.forEach((cell, i) => {
      const score = intersection(word.bbox, cell);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    });
    if (best < 0) {
      const point = centre(word.bbox);
      let nearest = Infinity;
      cells.forEach((cell, i) => {
        const d = distanceToBox(point, cell);
        if (d < nearest) {
          nearest = d;
          best = i;
        }
      });
    }
    out[best]!.push(word);
  }
  return out;
}

/** Words of one cell as text: grouped into lines by their vertical centres, each line left to right. */
export function cellText(words: readonly TextLine[]): string {
  const sorted = [...words].sort((a, b) => centre(a.bbox)[1] - centre(b.bbox)[1]);
  const lines: TextLine[][] = [];
  for (const word of sorted) {
    const line = lines[lines.length - 1];
    const h = Math.max(1, boxHeight(word.bbox));
    if (line && Math.abs(centre(word.bbox)[1] - centre(line[0]!.bbox)[1]) <= 0.5 * Math.max(h, boxHeight(line[0]!.bbox))) line.push(word);
    else lines.push([word]);
  }
  return joinLines(lines.map((line) => joinWords(line.sort((a, b) => a.bbox[0] - b.bbox[0]))));
}

/** Words of one line: a space where the gap between them is a space wide, none inside a word. */
function joinWords(words: readonly TextLine[]): string {
  let text = '';
  let previous: TextLine | undefined;
  for (const word of words) {
    const t = word.text.trim();
    if (!t) continue;
    if (previous) {
      const gap = word.bbox[0] - previous.bbox[2];
      const charWidth = boxWidth(previous.bbox) / Math.max(1, previous.text.length);
      // a space-wide gap separates words (joinLines adds no space between CJK characters)
      text = gap > 0.25 * Math.min(boxHeight(word.bbox), charWidth * 2) ? joinLines([text, t]) : text + t;
    } else {
      text = t;
    }
    previous = word;
  }
  return text;
}
