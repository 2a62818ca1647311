// Page furniture from one page: what stands apart at the edges is furniture, what has its own
// kind beside it (a landscape table's turned lines, a chart's other tick labels) is content.
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, type GlyphRun, type PageTask } from '@paperline/contracts';
import { layoutPage } from './layout-page.js';

const FEATURES = { table: false, formula: false, chart: false };
const WIDTH = 1275;
const HEIGHT = 1650;

/** A run of `text` with its baseline at `y`, about half an em per character. */
function run(text: string, x: number, y: number, size = 20): GlyphRun {
  return { text, bbox: [x, y - 0.8 * size, x + 0.5 * size * text.length, y + 0.2 * size], font: 'Times', size, bold: false, italic: false };
}

/** A line turned a quarter (read bottom to top), its baseline at `x`, starting at `bottom`. */
function turned(text: string, x: number, bottom: number, size = 14): GlyphRun {
  return { text, bbox: [x - 0.8 * size, bottom - 0.5 * size * text.length, x + 0.2 * size, bottom], font: 'Times', size, bold: false, italic: false, angle: 90 };
}

function task(): PageTask {
  return {
    v: SCHEMA_VERSION,
    docId: 'doc-furniture',
    page: 3,
    pageCount: 5,
    width: WIDTH,
    height: HEIGHT,
    dpi: 150,
    source: { kind: 'pdf', object: 'doc-furniture/source' },
    raster: null,
    textLayer: 't',
    options: { priority: 'normal', features: {}, outputFormats: ['md', 'json'] },
  };
}

const BODY = 'the body text of this page runs on for a while in plain words';
/** A column of body text, so the page has a body size. */
const body = (x: number, y0: number, lines = 20) => Array.from({ length: lines }, (_, i) => run(`${BODY} ${i}`, x, y0 + i * 26));

function layout(runs: GlyphRun[]) {
  const { blocks } = layoutPage(task(), { v: SCHEMA_VERSION, runs, rulings: [], images: [] }, { features: FEATURES });
  const typeOf = (text: string) => blocks.find((b) => b.text.includes(text))?.type;
  return { blocks, typeOf };
}

describe('page furniture from one page', () => {
  it("keeps a listing's line that the page break left in the top band as content, while a running header there is furniture", () => {
    // a manual's option list: "-s --small" in a monospaced face, the last of its listing carried to this page
    const option = { ...run('-s --small', 150, 70), font: 'DejaVuSansMono' };
    const header = run('bzip2 and libbzip2, version 1.0.8', 150, 70);
    expect(layout([option, ...body(150, 160)]).typeOf('-s --small')).toBe('code');
    expect(layout([header, ...body(150, 160)]).typeOf('bzip2 and libbzip2')).toBe('header');
  });

  it("keeps a landscape table's caption along the edge as content, beside the table's turned lines, while a lone stamp is furniture", () => {
    const rows = Array.from({ length: 8 }, (_, i) => turned(`Catchment ${i} 12.5 340 NSW pine 1995 forest`, 150 + i * 22, 1380));
    const { typeOf } = layout([
      turned('Table 1', 104, 1380),
      turned('Site characteristics for all catchments', 124, 1380),
      ...rows,
      ...body(620, 200, 40),
      // a notice along the other edge, in small type, on its own
      turned('Preprint under review, not for circulation', 1245, 1100),
    ]);
    expect(typeOf('Site characteristics')).not.toMatch(/header|footer/);
    expect(typeOf('Catchment 3')).not.toMatch(/header|footer/);
    expect(typeOf('Preprint under review')).toBe('footer');
  });

  it("keeps a chart's tick labels at the top of a page as content, while a page number standing apart there is furniture", () => {
    const ticks = ['0', '0.2', '0.4', '0.6', '0.8', '1'].map((t, i) => run(t, 720 + i * 80, 110, 17));
    const { typeOf, blocks } = layout([...ticks, run('257', 1010, 40, 17), ...body(150, 300)]);
    expect(typeOf('257')).toBe('header');
    for (const tick of blocks.filter((b) => /^0\.\d$/.test(b.text))) expect(tick.type, tick.text).toBe('text');
  });
});
