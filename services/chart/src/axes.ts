// Chart or picture, from what surrounds the plot: numeric tick labels stacked beside it or in a
// row beneath it, and axis lines (vector rulings, or long strokes in its pixels) meeting at its
// lower-left corner. A chart has ticks on one axis and either axis lines or labels on the other.
import type { BBox, Ruling, TextLine } from '@paperline/contracts';
import { boxHeight, boxWidth, median, overlap1d } from '@paperline/vision';

export interface ChartReading {
  isChart: boolean;
  /** Tick labels beside the plot (the value axis of a column chart), top to bottom. */
  yTicks: TextLine[];
  /** Labels beneath the plot (ticks or categories), left to right. */
  xLabels: TextLine[];
  /** The remaining labels: axis titles, legend entries, annotations. */
  other: TextLine[];
  axes: boolean;
}

export interface AxisOptions {
  /** Least numeric ticks on an axis. @default 3 */
  minTicks: number;
  /** Least length of an axis line, as a share of the plot's side. @default 0.5 */
  minAxisShare: number;
}

export const DEFAULT_AXIS_OPTIONS: Readonly<AxisOptions> = Object.freeze({ minTicks: 3, minAxisShare: 0.5 });

const NUMBER = /^[-+−]?(?:\d{1,3}(?:[,\s]\d{3})+|\d+)(?:[.,]\d+)?\s*[%kKmMbB]?$/;

export function readAxes(plot: BBox, words: readonly TextLine[], rulings: readonly Ruling[], options: AxisOptions = DEFAULT_AXIS_OPTIONS): ChartReading {
  const h = Math.max(1, median(words.map((w) => boxHeight(w.bbox))));
  const numeric = (w: TextLine) => NUMBER.test(w.text.trim());
  // beside the plot's left edge (or just inside it), vertically within the plot
  const left = words.filter((w) => w.bbox[2] <= plot[0] + 2 * h && w.bbox[0] < plot[0] + 0.25 * boxWidth(plot) && overlap1d(w.bbox[1], w.bbox[3], plot[1] - h, plot[3] + h) > 0);
  const yTicks = stacked(left.filter(numeric), h).sort((a, b) => a.bbox[1] - b.bbox[1]);
  // beneath the plot's bottom edge (or just inside it), one row
  const below = words.filter((w) => w.bbox[1] >= plot[3] - 2 * h && w.bbox[1] <= plot[3] + 2 * h && overlap1d(w.bbox[0], w.bbox[2], plot[0] - h, plot[2] + h) > 0 && !yTicks.includes(w));
  const xLabels = inRow(below, h).sort((a, b) => a.bbox[0] - b.bbox[0]);
  const other = words.filter((w) => !yTicks.includes(w) && !xLabels.includes(w));
  const axes = hasAxes(plot, rulings, options.minAxisShare, h);
  const xTicks = xLabels.filter(numeric).length;
  const ticks = Math.max(yTicks.length, xTicks);
  const otherAxis = yTicks.length >= options.minTicks ? xLabels.length >= 2 : yTicks.length >= 2;
  return { isChart: ticks >= options.minTicks && (axes || otherAxis), yTicks, xLabels, other, axes };
}

/** Labels stacked in one column: right edges (ticks are right-aligned) close together. */
function stacked(labels: readonly TextLine[], h: number): TextLine[] {
  if (labels.length === 0) return [];
  const right = median(labels.map((l) => l.bbox[2]));
  return labels.filter((l) => Math.abs(l.bbox[2] - right) <= 1.5 * h);
}

/** Labels on one row: vertical centres close to the row's median. */
function inRow(labels: readonly TextLine[], h: number): TextLine[] {
  if (labels.length === 0) return [];
  const centre = median(labels.map((l) => (l.bbox[1] + l.bbox[3]) / 2));
  return labels.filter((l) => Math.abs((l.bbox[1] + l.bbox[3]) / 2 - centre) <= 0.6 * h);
}

/** A horizontal line along the plot's bottom and a vertical one along its left side, meeting near the corner. */
function hasAxes(plot: BBox, rulings: readonly Ruling[], share: number, h: number): boolean {
  const slack = Math.max(4, h);
  const xAxis = rulings.some((r) => Math.abs(r.y0 - r.y1) <= 2 && Math.abs(r.y0 - plot[3]) <= Math.max(slack, 0.1 * boxHeight(plot)) && Math.abs(r.x1 - r.x0) >= share * boxWidth(plot));
  const yAxis = rulings.some((r) => Math.abs(r.x0 - r.x1) <= 2 && Math.abs(r.x0 - plot[0]) <= Math.max(slack, 0.1 * boxWidth(plot)) && Math.abs(r.y1 - r.y0) >= share * boxHeight(plot));
  return xAxis && yAxis;
}
