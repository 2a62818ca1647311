// Generated pages with structure for the table and chart stages: a ruled table (booktabs style),
// a full grid with merged cells, and a chart with axes, ticks and a caption. Points, top-left origin.
import type { PdfLine, PdfPageSpec, PdfText } from './pdf.js';

const CELL_H = 20;

/** A table under a heading, ruled above and below its header row and at its foot; cells left-aligned. */
export function ruledTablePage(rows: readonly (readonly string[])[], options: { x?: number; y?: number; columnWidth?: number } = {}): PdfPageSpec {
  const x = options.x ?? 72;
  const top = options.y ?? 120;
  const width = options.columnWidth ?? 120;
  const columns = Math.max(...rows.map((r) => r.length));
  const texts: PdfText[] = [{ text: 'Results of the trial', x, y: top - 30, size: 16, font: 'Helvetica-Bold' }];
  rows.forEach((row, r) => row.forEach((cell, c) => texts.push({ text: cell, x: x + 6 + c * width, y: top + 14 + r * CELL_H, size: 10 })));
  const rule = (y: number): PdfLine => ({ x0: x, y0: y, x1: x + columns * width, y1: y });
  return { texts, lines: [rule(top), rule(top + CELL_H), rule(top + rows.length * CELL_H)] };
}

/**
 * A full grid of 3 columns and 4 rows: "Region" spans the header's first column over two rows,
 * "Sales" spans the header's second and third columns; the body is 2 rows of 3 cells.
 */
export function spannedTablePage(x = 72, top = 120, width = 120): PdfPageSpec {
  const texts: PdfText[] = [
    { text: 'Region', x: x + 6, y: top + 24, size: 10 },
    { text: 'Sales', x: x + width + 6, y: top + 14, size: 10 },
    { text: '2023', x: x + width + 6, y: top + CELL_H + 14, size: 10 },
    { text: '2024', x: x + 2 * width + 6, y: top + CELL_H + 14, size: 10 },
    { text: 'North', x: x + 6, y: top + 2 * CELL_H + 14, size: 10 },
    { text: '12', x: x + width + 6, y: top + 2 * CELL_H + 14, size: 10 },
    { text: '15', x: x + 2 * width + 6, y: top + 2 * CELL_H + 14, size: 10 },
    { text: 'South', x: x + 6, y: top + 3 * CELL_H + 14, size: 10 },
    { text: '9', x: x + width + 6, y: top + 3 * CELL_H + 14, size: 10 },
    { text: '11', x: x + 2 * width + 6, y: top + 3 * CELL_H + 14, size: 10 },
  ];
  const bottom = top + 4 * CELL_H;
  const lines: PdfLine[] = [
    { x0: x, y0: top, x1: x + 3 * width, y1: top },
    // under "Sales" only: "Region" runs on below it
    { x0: x + width, y0: top + CELL_H, x1: x + 3 * width, y1: top + CELL_H },
    { x0: x, y0: top + 2 * CELL_H, x1: x + 3 * width, y1: top + 2 * CELL_H },
    { x0: x, y0: top + 3 * CELL_H, x1: x + 3 * width, y1: top + 3 * CELL_H },
    { x0: x, y0: bottom, x1: x + 3 * width, y1: bottom },
    { x0: x, y0: top, x1: x, y1: bottom },
    { x0: x + width, y0: top, x1: x + width, y1: bottom },
    // not through the "Sales" header cell
    { x0: x + 2 * width, y0: top + CELL_H, x1: x + 2 * width, y1: bottom },
    { x0: x + 3 * width, y0: top, x1: x + 3 * width, y1: bottom },
  ];
  return { texts, lines };
}

/** A column chart: its plot an image, axis lines along its left and bottom, numeric ticks, year labels, a caption. */
export function chartPage(caption = 'Figure 1: Sales by year.'): PdfPageSpec {
  const plot = { x: 100, y: 150, w: 300, h: 200 };
  const bottom = plot.y + plot.h;
  const texts: PdfText[] = [
    { text: 'Sales', x: 72, y: 100, size: 16, font: 'Helvetica-Bold' },
    ...['30', '20', '10', '0'].map((t, i) => ({ text: t, x: t.length === 1 ? 88 : 83, y: plot.y + 4 + (i * plot.h) / 3, size: 9 })),
    ...['2019', '2020', '2021'].map((t, i) => ({ text: t, x: plot.x + 40 + i * 100, y: bottom + 14, size: 9 })),
    { text: caption, x: 100, y: bottom + 40, size: 10 },
  ];
  return {
    texts,
    images: [{ ...plot, pixelWidth: 60, pixelHeight: 40 }],
    lines: [
      { x0: plot.x, y0: bottom, x1: plot.x + plot.w, y1: bottom },
      { x0: plot.x, y0: plot.y, x1: plot.x, y1: bottom },
    ],
  };
}
