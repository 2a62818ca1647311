// Chart or picture from the labels around a plot and its axis lines.
import type { Ruling, TextLine } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { readAxes } from './axes.js';

const label = (text: string, x0: number, y0: number): TextLine => ({ text, bbox: [x0, y0, x0 + 8 * text.length, y0 + 14], confidence: 1 });
const PLOT = [100, 100, 500, 400] as const;
const AXES: Ruling[] = [
  { x0: 100, y0: 400, x1: 500, y1: 400 },
  { x0: 100, y0: 100, x1: 100, y1: 400 },
];
const Y_TICKS = [label('30', 80, 95), label('20', 80, 195), label('10', 80, 295), label('0', 88, 393)];
const X_LABELS = [label('2019', 150, 405), label('2020', 300, 405), label('2021', 450, 405)];

describe('readAxes', () => {
  it('calls a plot with numeric ticks beside it and axis lines a chart, and sorts its labels by axis', () => {
    const reading = readAxes([...PLOT], [...Y_TICKS, ...X_LABELS, label('Sales (units)', 250, 430)], AXES);
    expect(reading.isChart).toBe(true);
    expect(reading.axes).toBe(true);
    expect(reading.yTicks.map((l) => l.text)).toEqual(['30', '20', '10', '0']);
    expect(reading.xLabels.map((l) => l.text)).toEqual(['2019', '2020', '2021']);
    expect(reading.other.map((l) => l.text)).toEqual(['Sales (units)']);
  });

  it('calls it a chart from ticks on one axis and labels on the other without axis lines', () => {
    expect(readAxes([...PLOT], [...Y_TICKS, ...X_LABELS], []).isChart).toBe(true);
  });

  it('calls a picture with a label or two a picture, even with a frame around it', () => {
    const frame: Ruling[] = [...AXES, { x0: 100, y0: 100, x1: 500, y1: 100 }, { x0: 500, y0: 100, x1: 500, y1: 400 }];
    expect(readAxes([...PLOT], [label('A cat', 200, 200), label('on a mat', 200, 300)], frame).isChart).toBe(false);
    expect(readAxes([...PLOT], [], []).isChart).toBe(false);
  });
});
