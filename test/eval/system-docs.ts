// Real documents that no one here wrote: the HTML manuals Debian ships under /usr/share/doc,
// printed to PDF by Chromium (as a browser's "save as PDF" would), with the page's own text as
// the truth (innerText under print media: the words in the order the page shows them). They carry
// what the generated set does not: <pre> listings and plain-text tables in a monospaced face,
// tables of contents, definition lists. Writes NAME.pdf and NAME.md to DIR, then scores paperline
// (the in-process text-layer path, test/quality/text-layer.ts) and pdftotext on the same files.
// Not a test (it needs Chromium, poppler and Debian's doc files). Usage:
//   node --conditions=@paperline/source --import tsx test/eval/system-docs.ts DIR
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { DEFAULT_CHROMIUM } from '@paperline/docgen';
import { DEFAULT_PDF_ENGINE } from '@paperline/render';
import { parseTextLayer } from '../quality/text-layer.js';
import { loadScorer } from '../bench/quality-score.js';

const MANUALS = [
  '/usr/share/doc/bzip2/manual.html',
  '/usr/share/doc/bc/bc.html',
  '/usr/share/doc/fontconfig/fontconfig-user.html',
  '/usr/share/doc/base-passwd/users-and-groups.html',
];

const dir = process.argv[2];
if (!dir) throw new Error('usage: system-docs.ts DIR');
await mkdir(dir, { recursive: true });
const found = MANUALS.filter((path) => existsSync(path));
if (found.length === 0) throw new Error(`none of ${MANUALS.join(', ')} is installed`);
const browser = await chromium.launch({ executablePath: process.env['PL_CHROMIUM'] ?? DEFAULT_CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const names: string[] = [];
try {
  const page = await browser.newPage();
  await page.emulateMedia({ media: 'print' });
  for (const path of found) {
    const name = path.split('/').slice(-2).join('-').replace(/\.html$/, '');
    await page.goto(`file://${path}`, { waitUntil: 'load' });
    await writeFile(join(dir, `${name}.md`), (await page.evaluate('document.body.innerText')) as string);
    await writeFile(join(dir, `${name}.pdf`), await page.pdf({ format: 'A4' }));
    names.push(name);
  }
} finally {
  await browser.close();
}

const { score } = await loadScorer();
const totals = { paperline: [] as number[], pdftotext: [] as number[] };
for (const name of names) {
  const pdf = join(dir, `${name}.pdf`);
  const truth = await readFile(join(dir, `${name}.md`), 'utf8');
  const ours = score((await parseTextLayer(new Uint8Array(await readFile(pdf)), `${name}.pdf`, DEFAULT_PDF_ENGINE)).markdown, truth);
  const poppler = score(execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 }), truth);
  totals.paperline.push(ours.nedWords);
  totals.pdftotext.push(poppler.nedWords);
  console.log(`${name}\tpaperline ned_words=${ours.nedWords.toFixed(3)} bow_f1=${ours.bowF1.toFixed(3)}\tpdftotext ned_words=${poppler.nedWords.toFixed(3)} bow_f1=${poppler.bowF1.toFixed(3)}`);
}
const mean = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)).toFixed(3);
console.log(`MEAN\tdocs=${names.length}\tpaperline ned_words=${mean(totals.paperline)}\tpdftotext ned_words=${mean(totals.pdftotext)}`);
