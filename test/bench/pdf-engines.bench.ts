// npm run bench:pdf-engines [-- --rounds 5]
// PDFium (WebAssembly) against pdf.js on the 3 born-digital corpus PDFs, in one process, for what
// render needs: text-layer pages/s (warm, median of --rounds), raster pages/s, and how far their
// text layers agree: words (bag-of-words F1), runs with the same text, and on those the font size,
// bold, italic and box. pdftotext's pages/s on the same files is the anchor. docs/pdf-engines.md
// holds a run's figures.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GlyphRun } from '@paperline/contracts';
import { openDocument, selectPages, type PdfEngine, type RenderedPage } from '../../services/render/src/index.js';
import { percentile } from './stats.js';

const corpus = resolve(process.env['PL_CORPUS'] ?? join(import.meta.dirname, '../../../shared/corpus'));
const roundsIndex = process.argv.indexOf('--rounds');
const rounds = roundsIndex > 0 ? Number(process.argv[roundsIndex + 1]) : 5;
if (!existsSync(corpus)) {
  console.error(`no corpus at ${corpus} (set PL_CORPUS)`);
  process.exit(2);
}
const files = ['mineru-demo1.pdf', 'mineru-demo2.pdf', 'mineru-demo3.pdf'].map((f) => join(corpus, 'pdf', f));
const ENGINES: PdfEngine[] = ['pdfjs', 'pdfium'];

async function renderFile(file: string, engine: PdfEngine, alwaysRaster: boolean): Promise<RenderedPage[]> {
  const doc = await openDocument(readFileSync(file), 'application/pdf', { pdfEngine: engine, minTextChars: 0, alwaysRaster });
  const pages: RenderedPage[] = [];
  try {
    for await (const page of doc.pages(selectPages(doc.pageCount))) pages.push(page);
  } finally {
    await doc.close();
  }
  return pages;
}

async function pagesPerSecond(engine: PdfEngine, alwaysRaster: boolean, times: number): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < times; round++) {
    const started = performance.now();
    let pages = 0;
    for (const file of files) pages += (await renderFile(file, engine, alwaysRaster)).length;
    rates.push(pages / ((performance.now() - started) / 1000));
  }
  return percentile(rates, 50);
}

const words = (runs: GlyphRun[]) => runs.flatMap((r) => r.text.split(/\s+/).filter(Boolean));

function bagF1(a: string[], b: string[]): number {
  const counts = new Map<string, number>();
  for (const w of a) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of b) {
    const n = counts.get(w) ?? 0;
    if (n > 0) {
      common++;
      counts.set(w, n - 1);
    }
  }
  return a.length + b.length === 0 ? 1 : (2 * common) / (a.length + b.length);
}

/** Runs of both engines with the same text (nth occurrence with nth), and how their attributes agree. */
function compareRuns(reference: GlyphRun[], candidate: GlyphRun[]) {
  const key = (runs: GlyphRun[]) => {
    const seen = new Map<string, number>();
    return new Map(runs.map((r) => {
      const n = (seen.get(r.text) ?? 0) + 1;
      seen.set(r.text, n);
      return [`${r.text}#${n}`, r] as const;
    }));
  };
  const ref = key(reference);
  const matched: Array<[GlyphRun, GlyphRun]> = [];
  for (const [k, run] of key(candidate)) {
    const other = ref.get(k);
    if (other) matched.push([other, run]);
  }
  return matched;
}

console.log(`paperline bench:pdf-engines  ${files.length} corpus PDFs  node ${process.version}`);
const layers = new Map<PdfEngine, RenderedPage[][]>();
for (const engine of ENGINES) layers.set(engine, await Promise.all(files.map((f) => renderFile(f, engine, false))));
const pageCount = layers.get('pdfjs')!.reduce((n, pages) => n + pages.length, 0);

for (const engine of ENGINES) {
  const text = await pagesPerSecond(engine, false, rounds);
  const raster = await pagesPerSecond(engine, true, 1);
  const all = layers.get(engine)!.flat();
  const runs = all.flatMap((p) => p.textLayer?.runs ?? []);
  console.log(
    `${engine.padEnd(7)} text layer ${text.toFixed(1).padStart(6)} pages/s (warm, median of ${rounds})  every page rasterised ${raster.toFixed(1).padStart(5)} pages/s  ` +
      `runs ${runs.length}  chars ${runs.reduce((n, r) => n + r.text.replace(/\s+/g, '').length, 0)}  ` +
      `rulings ${all.reduce((n, p) => n + (p.textLayer?.rulings.length ?? 0), 0)}  images ${all.reduce((n, p) => n + (p.textLayer?.images.length ?? 0), 0)}`,
  );
}
try {
  const started = performance.now();
  for (let round = 0; round < rounds; round++) for (const file of files) execFileSync('pdftotext', [file, '-'], { stdio: 'ignore' });
  console.log(`pdftotext text ${((pageCount * rounds) / ((performance.now() - started) / 1000)).toFixed(1)} pages/s (mean of ${rounds} rounds)`);
} catch {
  console.log('pdftotext not found (Debian: apt-get install poppler-utils): no anchor');
}

const pdfjsPages = layers.get('pdfjs')!.flat();
const pdfiumPages = layers.get('pdfium')!.flat();
let f1 = 0;
const pairs: Array<[GlyphRun, GlyphRun]> = [];
let referenceRuns = 0;
for (let i = 0; i < pdfjsPages.length; i++) {
  const a = pdfjsPages[i]!.textLayer?.runs ?? [];
  const b = pdfiumPages[i]?.textLayer?.runs ?? [];
  f1 += bagF1(words(a), words(b));
  referenceRuns += a.length;
  pairs.push(...compareRuns(a, b));
}
const share = (predicate: (pair: [GlyphRun, GlyphRun], index: number) => boolean) => ((100 * pairs.filter(predicate).length) / Math.max(1, pairs.length)).toFixed(1);
const boxDelta = pairs.map(([a, b]) => Math.max(...a.bbox.map((v, k) => Math.abs(v - b.bbox[k]!))));
console.log(`agreement, pdf.js as reference: words F1 ${(f1 / pdfjsPages.length).toFixed(4)} (mean per page)  runs with the same text ${pairs.length} of ${referenceRuns}`);
console.log(
  `  on those: size within 0.5 px ${share(([a, b]) => Math.abs(a.size - b.size) <= 0.5)}%  bold ${share(([a, b]) => a.bold === b.bold)}%  italic ${share(([a, b]) => a.italic === b.italic)}%  ` +
    `font name ${share(([a, b]) => a.font === b.font)}%  box corners within 2 px ${share((_, i) => boxDelta[i]! <= 2)}% (median largest corner delta ${percentile(boxDelta, 50).toFixed(2)} px)`,
);
process.exit(0);
