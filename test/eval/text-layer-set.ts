// The in-process text-layer path (test/quality/text-layer.ts) over a folder of PDFs with NAME.md
// truths beside them, scored per document and on average, RTL and LTR apart. Not a test: a quick
// loop for work on the reading code (bench:quality runs the real pipeline). Usage:
//   node --conditions=@paperline/source --import tsx test/eval/text-layer-set.ts DIR [OUT_DIR] [--only NAME]
// The PDF engine: PL_RENDER_PDF_ENGINE=pdfium|pdfjs, render's default when unset.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PDF_ENGINE, PDF_ENGINES } from '@paperline/render';
import { parseTextLayer } from '../quality/text-layer.js';
import { loadScorer } from '../bench/quality-score.js';

const [dir, outDir] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
if (!dir) throw new Error('usage: text-layer-set.ts DIR [OUT_DIR] [--only NAME]');
const engine = PDF_ENGINES.find((e) => e === process.env['PL_RENDER_PDF_ENGINE']) ?? DEFAULT_PDF_ENGINE;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const { score } = await loadScorer();
const manifestPath = join(dir, '..', 'manifest.json');
const manifest: Array<{ name: string; dir: string }> = existsSync(manifestPath) ? JSON.parse(await readFile(manifestPath, 'utf8')) : [];
const rtl = new Set(manifest.filter((m) => m.dir === 'rtl').map((m) => m.name));
if (outDir) await mkdir(outDir, { recursive: true });
const rows: Array<{ name: string; ned: number; bow: number }> = [];
for (const file of (await readdir(dir)).filter((f) => f.endsWith('.pdf') && (!only || f.includes(only))).sort()) {
  const name = file.slice(0, -4);
  const { markdown } = await parseTextLayer(new Uint8Array(await readFile(join(dir, file))), file, engine);
  if (outDir) await writeFile(join(outDir, `${name}.md`), markdown);
  const truth = await readFile(join(dir, `${name}.md`), 'utf8');
  const s = score(markdown, truth);
  rows.push({ name, ned: s.nedChars ?? s.nedWords, bow: s.bowF1 });
  console.log(`${name}\tned_chars=${(s.nedChars ?? s.nedWords).toFixed(3)}\tbow_f1=${s.bowF1.toFixed(3)}${rtl.has(name) ? '\trtl' : ''}`);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const summary = (label: string, rs: typeof rows) => console.log(`${label}\tdocs=${rs.length}\tned_chars=${mean(rs.map((r) => r.ned)).toFixed(3)}\tbow_f1=${mean(rs.map((r) => r.bow)).toFixed(3)}`);
summary('MEAN', rows);
if (rtl.size) {
  summary('RTL', rows.filter((r) => rtl.has(r.name)));
  summary('LTR', rows.filter((r) => !rtl.has(r.name)));
}
