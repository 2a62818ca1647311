// Each failure class of born-digital reading, pinned on a generated document (test/fixtures/generated,
// made by `npm run gen:docs -- --out DIR --fixtures`: Chromium-printed PDFs with their exact Markdown),
// once per PDF engine: both must cut their glyph runs so that layout reads them alike.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_SET, generateDocument } from '@paperline/docgen';
import { openDocument, PDF_ENGINES, selectPages, type PdfEngine } from '@paperline/render';
import { parseTextLayer } from './text-layer.js';

const dir = join(import.meta.dirname, '../fixtures/generated');

async function read(name: string, engine: PdfEngine) {
  const { document, markdown } = await parseTextLayer(new Uint8Array(readFileSync(join(dir, `${name}.pdf`))), `${name}.pdf`, engine);
  return { document, markdown, truth: readFileSync(join(dir, `${name}.md`), 'utf8') };
}

const plain = (md: string) => md.replace(/<!--[\s\S]*?-->/g, ' ').replace(/^#+\s*/gm, '').replace(/^\s*[-+]\s+/gm, '').replace(/\s+/g, ' ').trim();

/** Normalised edit distance over characters (the project scorer's ned_chars, on its normalisation's essentials). */
function nedChars(prediction: string, truth: string): number {
  const a = Array.from(plain(prediction));
  const b = Array.from(plain(truth));
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]! / Math.max(1, a.length, b.length);
}

const options = (name: string) => FIXTURE_SET.find((f) => f.name === name)!.options;

describe.each(PDF_ENGINES)('born-digital reading on generated documents (%s)', (engine) => {
  it('reads an Arabic page in logical order, presentation forms as letters', async () => {
    const { markdown, truth } = await read('arabic-one-column', engine);
    const title = truth.split('\n')[0]!;
    expect(markdown).toContain(title);
    expect(markdown).not.toMatch(/[\uFB50-\uFDFF\uFE70-\uFEFC]/);
    expect(nedChars(markdown, truth)).toBeLessThanOrEqual(0.05);
  });

  it('reads Hebrew lines with numbers and Latin terms inside in logical order', async () => {
    const { markdown, truth } = await read('hebrew-one-column', engine);
    // a number between two Hebrew words (a number next to a Latin word is a known limit: see docs)
    const withNumber = truth.match(/[\u0590-\u05ff]+ \d[\d.%]* [\u0590-\u05ff]+/g) ?? [];
    expect(withNumber.length).toBeGreaterThan(0);
    for (const phrase of withNumber.slice(0, 5)) expect(plain(markdown)).toContain(phrase);
    expect(nedChars(markdown, truth)).toBeLessThanOrEqual(0.08);
  });

  it('keeps the columns of a two-column page with a 6 pt gutter apart', async () => {
    const { markdown, truth } = await read('latin-two-columns-6pt', engine);
    expect(nedChars(markdown, truth)).toBeLessThanOrEqual(0.03);
  });

  it('reads side-heads before their text across a 6 pt gutter', async () => {
    const { markdown, truth } = await read('latin-side-heads-6pt', engine);
    const heads = truth.split('\n').filter((l) => l.startsWith('## ')).map((l) => l.slice(3));
    expect(heads.length).toBeGreaterThan(1);
    // each side-head is found after the one before it, in the order of the truth
    const text = plain(markdown);
    let from = 0;
    for (const head of heads) {
      const at = text.indexOf(head, from);
      expect(at, head).toBeGreaterThanOrEqual(0);
      from = at + head.length;
    }
    expect(nedChars(markdown, truth)).toBeLessThanOrEqual(0.05);
  });

  it('writes heading levels as Markdown # levels', async () => {
    const { markdown, truth } = await read('latin-one-column', engine);
    const headings = (md: string) => md.split('\n').filter((l) => /^#{1,6} /.test(l));
    expect(headings(markdown)).toEqual(headings(truth));
  });

  it("keeps a single page's running header, footer and margin stamp out of the body, marked as furniture", async () => {
    const { document, markdown } = await read('latin-one-column', engine);
    const page = generateDocument('latin-one-column', options('latin-one-column')).pages[0]!;
    expect(document.pageCount).toBe(1);
    expect(markdown).not.toContain(page.header!);
    expect(markdown).not.toContain('Downloaded from');
    expect(markdown).not.toMatch(/— 1 —/);
    const furniture = document.pages[0]!.blocks.filter((b) => b.type === 'header' || b.type === 'footer').map((b) => b.text);
    expect(furniture).toContain(page.header);
    expect(furniture.some((t) => t.includes('Downloaded from'))).toBe(true);
  });

  // pdf.js places the glyphs of Chromium's slanted (synthetic italic) Arabic headings out of order:
  // a limit of that engine (docs/pdf-engines.md), not of the column reading pinned here
  it.skipIf(engine === 'pdfjs')('reads three Arabic columns right to left across an 8 pt gutter, short last lines and list items beside it', async () => {
    const { markdown, truth } = await read('arabic-three-columns-8pt', engine);
    expect(nedChars(markdown, truth)).toBeLessThanOrEqual(0.05);
  });

  it('keeps three CJK columns apart across a 6 pt gutter, a line a glyph short of its edge', async () => {
    const { markdown, truth } = await read('cjk-three-columns-6pt', engine);
    expect(nedChars(markdown, truth)).toBeLessThanOrEqual(0.05);
  });

  it('ranks heading levels across the document: the title on page 1 only, side-heads as level 2 on every page', async () => {
    const { markdown, truth } = await read('latin-side-heads-three-pages', engine);
    const headings = (md: string) => md.split('\n').filter((l) => /^#{1,6} /.test(l));
    const model = generateDocument('latin-side-heads-three-pages', options('latin-side-heads-three-pages'));
    expect(model.pages.map((p) => Boolean(p.title))).toEqual([true, false, false]);
    expect(model.pages[2]!.body.some((c) => c.kind === 'heading' && c.level === 2)).toBe(true);
    expect(headings(truth).filter((l) => l.startsWith('# '))).toHaveLength(1);
    expect(headings(markdown)).toEqual(headings(truth));
  });

  it('reads regular faces as regular (bold runs would make list items headings)', async () => {
    // Noto Serif and Noto Sans Arabic regular: PDFium's font weight (from StemV) called them bold
    for (const name of ['latin-three-columns', 'arabic-one-column']) {
      const opened = await openDocument(new Uint8Array(readFileSync(join(dir, `${name}.pdf`))), 'application/pdf', { fileName: `${name}.pdf`, pdfEngine: engine });
      try {
        for await (const page of opened.pages(selectPages(opened.pageCount))) {
          const runs = page.textLayer?.runs ?? [];
          const bold = runs.filter((r) => r.bold).length;
          expect(bold / runs.length, name).toBeLessThan(0.2);
        }
      } finally {
        await opened.close();
      }
    }
  });

  it('joins CJK text without spaces and reads three columns in order', async () => {
    for (const name of ['cjk-two-columns', 'latin-three-columns']) {
      const { markdown, truth } = await read(name, engine);
      expect(nedChars(markdown, truth), name).toBeLessThanOrEqual(0.05);
    }
  });
});
