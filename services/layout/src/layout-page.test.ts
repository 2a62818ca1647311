import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, type BBox, type GlyphRun, type PageTask, type PageTextLayer, type Ruling } from '@paperline/contracts';
import { layoutPage } from './layout-page.js';

const ALL_ON = { table: true, formula: true, chart: true };

/** A run of `text` with its baseline at `y` (px), in a font of `size` px, about half an em per character. */
function run(text: string, x: number, y: number, size = 20, bold = false): GlyphRun {
  return { text, bbox: [x, y - 0.8 * size, x + 0.5 * size * text.length, y + 0.2 * size], font: bold ? 'Helvetica-Bold' : 'Helvetica', size, bold, italic: false };
}

/** Lines of a paragraph at 1.2 line spacing. */
function paragraph(lines: string[], x: number, y: number, size = 20): GlyphRun[] {
  return lines.map((line, i) => run(line, x, y + i * size * 1.2, size));
}

function task(page = 1, raster: string | null = null, textLayer: string | null = 't'): PageTask {
  return {
    v: SCHEMA_VERSION,
    docId: 'doc-test-1',
    page,
    pageCount: 3,
    width: 1275,
    height: 1650,
    dpi: 150,
    source: { kind: 'pdf', object: 'doc-test-1/source' },
    raster,
    textLayer,
    options: { priority: 'normal', features: {}, outputFormats: ['md', 'json'] },
  };
}

const layer = (runs: GlyphRun[], extra: { rulings?: Ruling[]; images?: BBox[] } = {}): PageTextLayer => ({
  v: SCHEMA_VERSION,
  runs,
  rulings: extra.rulings ?? [],
  images: extra.images ?? [],
});

const LONG = 'word '.repeat(18).trim();

describe('layoutPage', () => {
  it('finds the title, headings with levels, paragraphs and list items, in order', () => {
    const runs = [
      run('A Study of Things', 150, 150, 40, true),
      run('1. Introduction', 150, 260, 26, true),
      ...paragraph([LONG, LONG, LONG, 'the end.'], 150, 320),
      run('1.1 Background', 150, 460, 20, true),
      ...paragraph([LONG, LONG, 'short end.'], 150, 510),
      run('• first point of the list', 150, 620),
      run('• second point, which is long enough', 150, 644),
      run('to wrap onto a second line', 170, 668),
      run('2) a numbered item', 150, 692),
    ];
    const { blocks, regions } = layoutPage(task(1), layer(runs), { features: ALL_ON });
    expect(regions).toEqual([]);
    expect(blocks.map((b) => [b.type, b.level])).toEqual([
      ['title', 1],
      ['heading', 2],
      ['text', undefined],
      ['heading', 3],
      ['text', undefined],
      ['list', undefined],
      ['list', undefined],
      ['list', undefined],
    ]);
    expect(blocks.map((b) => b.order)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(blocks[2]!.text).toBe(`${LONG} ${LONG} ${LONG} the end.`);
    expect(blocks[2]!.lines).toHaveLength(4);
    expect(blocks[6]!.text).toBe('• second point, which is long enough to wrap onto a second line');
    expect(blocks.every((b) => b.source === 'text-layer')).toBe(true);
  });

  it('takes a numbered small-caps line for a section heading', () => {
    const runs = [...paragraph([LONG, LONG, 'end.'], 150, 300), run('II. BACKGROUND', 150, 420, 17), ...paragraph([LONG, LONG], 150, 470)];
    const { blocks } = layoutPage(task(2), layer(runs), { features: ALL_ON });
    expect(blocks.map((b) => [b.type, b.level])).toEqual([
      ['text', undefined],
      ['heading', 2],
      ['text', undefined],
    ]);
  });

  it('reads two columns column by column, under a full-width title', () => {
    const col = 'column text that fills'.padEnd(24, ' ');
    const runs = [
      run('Two Column Paper Title', 300, 150, 40, true),
      ...paragraph(Array.from({ length: 6 }, (_, i) => `left ${i} ${col}`), 100, 300),
      ...paragraph(Array.from({ length: 6 }, (_, i) => `right ${i} ${col}`), 700, 300),
    ];
    const { blocks } = layoutPage(task(2), layer(runs), { features: ALL_ON });
    expect(blocks.map((b) => b.text.split(' ')[0])).toEqual(['Two', 'left', 'right']);
    expect(blocks[1]!.lines!.map((l) => l.text.split(' ').slice(0, 2).join(' '))).toEqual(['left 0', 'left 1', 'left 2', 'left 3', 'left 4', 'left 5']);
  });

  it('splits paragraphs at a first-line indent after a short line', () => {
    const runs = paragraph([`    ${LONG}`, LONG, 'short.', `    ${LONG}`, LONG], 100, 300).map((r) =>
      r.text.startsWith(' ') ? { ...r, text: r.text.trim(), bbox: [r.bbox[0] + 40, r.bbox[1], r.bbox[2], r.bbox[3]] as BBox } : r,
    );
    const { blocks } = layoutPage(task(2), layer(runs), { features: ALL_ON });
    expect(blocks.map((b) => b.lines!.length)).toEqual([3, 2]);
  });

  it('joins runs of one line with spaces, and words hyphenated across lines', () => {
    const runs = [run('Hello', 100, 300), run('world', 100 + 50 + 8, 300), run('exam-', 100, 324), run('ple text.', 100, 348)];
    const { blocks } = layoutPage(task(2), layer(runs), { features: ALL_ON });
    expect(blocks.map((b) => b.text)).toEqual(['Hello world example text.']);
  });

  it('makes figures from image rectangles when the page has a raster, keeping their labels inside (charts off)', () => {
    const runs = [...paragraph([LONG, LONG], 100, 300), run('axis label', 220, 560), run('Figure 1: A picture of things.', 100, 760)];
    const images: BBox[] = [
      [100, 400, 400, 700],
      [402, 400, 600, 700], // a second tile of the same figure
      [1000, 100, 1005, 105], // decoration
    ];
    const { blocks, crops, regions } = layoutPage(task(2, 'doc-test-1/2.png'), layer(runs, { images }), { features: { ...ALL_ON, chart: false } });
    expect(regions).toEqual([]);
    expect(blocks.map((b) => b.type)).toEqual(['text', 'figure', 'caption']);
    const figure = blocks[1]!;
    expect(figure.bbox).toEqual([100, 400, 600, 700]);
    expect(figure.text).toBe('axis label');
    expect(figure.image).toBe('doc-test-1/2.b1.png');
    expect(crops).toEqual([{ blockId: 'b1', object: 'doc-test-1/2.b1.png', bbox: [100, 400, 600, 700] }]);
  });

  it('routes a figure to the chart stage with the labels around it and its caption when charts are on', () => {
    const runs = [...paragraph([LONG, LONG], 100, 300), run('40', 70, 420, 16), run('20', 70, 560, 16), run('0', 80, 690, 16), run('2019', 150, 730, 16), run('2020', 450, 730, 16), run('Figure 2: Sales by year.', 100, 790)];
    const { blocks, regions, crops } = layoutPage(task(2, 'doc-test-1/2.png'), layer(runs, { images: [[100, 400, 600, 700]] }), { features: ALL_ON });
    expect(blocks.map((b) => b.type)).toEqual(['text', 'caption']);
    expect(regions).toHaveLength(1);
    expect(regions[0]).toMatchObject({ regionId: 'r1', stage: 'chart', type: 'chart', bbox: [100, 400, 600, 700], order: 1, caption: 'Figure 2: Sales by year.', image: 'doc-test-1/2.r1.png' });
    expect(regions[0]!.words!.map((w) => w.text).sort()).toEqual(['0', '20', '2019', '2020', '40']);
    expect(crops).toEqual([{ blockId: 'r1', object: 'doc-test-1/2.r1.png', bbox: [100, 400, 600, 700] }]);
  });

  it('routes a stack of rulings to the table stage with its words and rulings when tables are on, and keeps text when off', () => {
    const rulings: Ruling[] = [300, 330, 420].map((y) => ({ x0: 100, y0: y, x1: 700, y1: y }));
    const runs = [run('Name', 110, 322), run('Value', 500, 322), run('alpha', 110, 360), run('1.0', 500, 360), run('beta', 110, 400), run('2.5', 500, 400)];
    const on = layoutPage(task(2), layer(runs, { rulings }), { features: ALL_ON });
    expect(on.blocks).toEqual([]);
    expect(on.regions).toHaveLength(1);
    expect(on.regions[0]).toMatchObject({ regionId: 'r0', stage: 'table', type: 'table', order: 0, mode: 'region', rulings });
    expect(on.regions[0]!.words!.map((w) => w.text)).toEqual(['Name', 'Value', 'alpha', '1.0', 'beta', '2.5']);
    const off = layoutPage(task(2), layer(runs, { rulings }), { features: { ...ALL_ON, table: false } });
    expect(off.blocks.every((b) => b.type === 'text')).toBe(true);
    expect(off.blocks.map((b) => b.text).join(' ')).toContain('alpha');
  });

  it('marks captions and small text at the foot of the page as footnotes', () => {
    const runs = [...paragraph([LONG, LONG, LONG], 100, 300), run('Table 2: Results.', 100, 500), run('* Corresponding author at somewhere.', 100, 1500, 14)];
    const { blocks } = layoutPage(task(2), layer(runs), { features: ALL_ON });
    expect(blocks.map((b) => b.type)).toEqual(['text', 'caption', 'footnote']);
  });

  it('merges the fragments of a numbered display equation into one formula region for the formula stage, with its glyph runs and rulings', () => {
    const runs = [
      ...paragraph([LONG, LONG, 'as follows:'], 100, 300),
      run('E = 1 -', 150, 420),
      run('sum (O - P)', 300, 405, 16),
      run('sum (O - M)', 300, 440, 16),
      run('(4)', 560, 420),
      ...paragraph(['where O are observed data and more words follow here.', LONG], 100, 500),
    ];
    const bar = { x0: 300, y0: 432, x1: 400, y1: 432 };
    const { blocks, regions } = layoutPage(task(2, 'doc-test-1/2.png'), layer(runs, { rulings: [bar] }), { features: ALL_ON });
    expect(blocks.map((b) => [b.id, b.type])).toEqual([
      ['b0', 'text'],
      ['b2', 'text'],
    ]);
    expect(regions).toHaveLength(1);
    expect(regions[0]).toMatchObject({ regionId: 'r1', stage: 'formula', type: 'formula', order: 1, mode: 'region', rulings: [bar] });
    expect(regions[0]!.runs!.map((r) => r.text)).toEqual(['E = 1 -', 'sum (O - P)', 'sum (O - M)', '(4)']);
  });

  it('keeps a formula inline as text plus a crop when the formula feature is off', () => {
    const runs = [
      ...paragraph([LONG, LONG, 'as follows:'], 100, 300),
      run('E = 1 -', 150, 420),
      run('sum (O - P)', 300, 405, 16),
      run('sum (O - M)', 300, 440, 16),
      run('(4)', 560, 420),
      ...paragraph(['where O are observed data and more words follow here.', LONG], 100, 500),
    ];
    const off = { features: { ...ALL_ON, formula: false } };
    const { blocks, crops, regions } = layoutPage(task(2, 'doc-test-1/2.png'), layer(runs), off);
    expect(regions).toEqual([]);
    expect(blocks.map((b) => b.type)).toEqual(['text', 'formula', 'text']);
    expect(blocks[1]!.text).toBe('E = 1 - sum (O - P) sum (O - M) (4)');
    expect(crops.map((c) => c.blockId)).toEqual(['b1']);
    const noRaster = layoutPage(task(2), layer(runs), off);
    expect(noRaster.blocks[1]).toMatchObject({ type: 'formula' });
    expect(noRaster.blocks[1]!.image).toBeUndefined();
    // an image layer holds the pictures only: no formula crop from it
    const imagesOnly = layoutPage({ ...task(2, 'doc-test-1/2.png'), rasterContent: 'images' }, layer(runs), off);
    expect(imagesOnly.blocks[1]).toMatchObject({ type: 'formula' });
    expect(imagesOnly.crops).toEqual([]);
  });

  it('routes a short block set in math fonts to the formula stage', () => {
    const runs = [...paragraph([LONG, LONG, 'as follows:'], 100, 300), { ...run('x', 500, 420), font: 'CMMI10' }, { ...run('2', 512, 412, 10), font: 'CMR7' }, { ...run('+ y', 530, 420), font: 'CMMI10' }];
    const { regions } = layoutPage(task(2), layer(runs), { features: ALL_ON });
    expect(regions.map((r) => [r.stage, r.type])).toEqual([['formula', 'formula']]);
  });

  it('reads a plain-text table in a monospaced face row by row, as one code block spaced as it was set', () => {
    // a <pre> table printed by a browser: three columns lined up with spaces, wide gaps between
    // them, under a paragraph in the body face
    const mono = (text: string, col: number, row: number): GlyphRun => ({ ...run(text, 100 + col * 12, 400 + row * 24, 20), font: 'DejaVuSansMono', bbox: [100 + col * 12, 384 + row * 24, 100 + (col + text.length) * 12, 404 + row * 24] });
    const rows = [
      ['Property', 'Type', 'Description'],
      ['family', 'String', 'Font family names'],
      ['familylang', 'String', 'Languages corresponding to each family'],
      ['slant', 'Int', 'Italic, oblique or roman'],
      ['weight', 'Int', 'Light, medium, demibold, bold or black'],
      ['size', 'Double', 'Point size'],
      ['antialias', 'Bool', 'Whether glyphs can be antialiased'],
    ];
    const runs = [...paragraph([LONG, LONG], 100, 300), ...rows.flatMap((cells, r) => cells.map((text, c) => mono(text, [0, 16, 24][c]!, r)))];
    const { blocks } = layoutPage(task(2), layer(runs), { features: ALL_ON });
    const code = blocks.filter((b) => b.type === 'code');
    expect(code).toHaveLength(1);
    expect(code[0]!.text.split('\n')).toEqual(rows.map(([a, b, c]) => `${a!.padEnd(16)}${b!.padEnd(8)}${c}`));
    expect(blocks[0]).toMatchObject({ type: 'text' });
  });

  it("keeps a listing's empty lines, and joins its parts across them into one code block", () => {
    const line = (text: string, row: number): GlyphRun => ({ ...run(text, 100, 400 + row * 24, 20), font: 'CMTT10', bbox: [100, 384 + row * 24, 100 + text.length * 12, 404 + row * 24] });
    // rows 0, 1, then an empty row, then 3, 4 and two empty rows, then 7
    const runs = [...paragraph([LONG, LONG], 100, 300), line('BEGIN', 0), line('  a ::= INTEGER', 1), line('  b ::= BOOLEAN', 3), line('  c ::= NULL', 4), line('END', 7)];
    const code = layoutPage(task(2), layer(runs), { features: ALL_ON }).blocks.filter((b) => b.type === 'code');
    expect(code.map((b) => b.text)).toEqual(['BEGIN\n  a ::= INTEGER\n\n  b ::= BOOLEAN\n  c ::= NULL\n\n\nEND']);
  });

  it('keeps a contents line whose dot leaders TeX set in a math font as text', () => {
    // Texinfo's contents: "2.1 ASN.1 syntax . . . . . 2", the leaders math-mode periods in CMMI10
    const runs = [run('2.1', 100, 300), run('ASN.1 syntax', 160, 300), { ...run(' .'.repeat(40), 320, 300), font: 'CMMI10' }, run('2', 1100, 300)];
    const { blocks, regions } = layoutPage(task(2), layer(runs), { features: ALL_ON });
    expect(regions).toEqual([]);
    expect(blocks.map((b) => b.type)).not.toContain('formula');
  });

  it('sends a page without a text layer to OCR as one page region', () => {
    const { blocks, regions, crops } = layoutPage(task(1, 'doc-test-1/1.png', null), null, { features: ALL_ON });
    expect(blocks).toEqual([]);
    expect(crops).toEqual([]);
    expect(regions).toEqual([{ regionId: 'page', stage: 'ocr', type: 'text', bbox: [0, 0, 1275, 1650], order: 0, mode: 'page', routes: ['table'] }]);
    // with tables off, ocr keeps a scan's tables as text
    expect(layoutPage(task(1, 'doc-test-1/1.png', null), null, { features: { ...ALL_ON, table: false } }).regions[0]!.routes).toEqual([]);
  });

  it('sends a blank page nowhere: no blocks, no OCR region, and it still counts as a page', () => {
    expect(layoutPage({ ...task(1, null, null), blank: true }, null, { features: ALL_ON })).toEqual({ blocks: [], regions: [], crops: [], backend: 'blank' });
  });
});
