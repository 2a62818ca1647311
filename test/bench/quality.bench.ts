// npm run bench:quality [-- --set DIR] [--only born-digital|scans|demo] [--scan-pages N] [--out DIR]
// Reading quality side by side with peers, on the same files in one run, scored by
// ../shared/eval/score.mjs (mean ned_chars, lower is better; mean bow_f1, higher is better), with
// the time per page of each:
// - born-digital: the generated PDFs (npm run gen:docs), paperline (embedded pipeline) and pdftotext;
// - scans: the same pages rasterised with scan-like noise, paperline (OCR path) and tesseract;
// - demo: the 18 OmniDocBench demo pages in ../shared/corpus, paperline and tesseract.
// The generated set is made on first use (DIR defaults to .cache/quality-set: 50 documents, seed 1).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PaperlineClient } from '@paperline/client';
import { silentLogger } from '@paperline/telemetry';
import { startLocalPipeline } from '../../services/cli/src/local/index.js';
import { loadScorer, type Score } from './quality-score.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const setDir = resolve(arg('set') ?? join(root, '.cache/quality-set'));
const only = arg('only');
const scanPages = Number(arg('scan-pages') ?? 40);
const outDir = resolve(arg('out') ?? join(setDir, 'predictions'));
const corpus = resolve(process.env['PL_CORPUS'] ?? join(root, '../shared/corpus'));

const tools = spawnSync('bash', [join(root, 'scripts/install-quality-tools.sh')], { stdio: 'inherit' });
if (tools.status !== 0) process.exit(2);
if (!existsSync(join(setDir, 'manifest.json'))) {
  console.log(`generating the document set in ${setDir} (50 documents, seed 1, with scans)`);
  const gen = spawnSync('npx', ['tsx', '--conditions=@paperline/source', join(root, 'libs/docgen/src/cli.ts'), '--out', setDir, '--count', '50', '--seed', '1', '--scans'], { stdio: 'inherit' });
  if (gen.status !== 0) process.exit(2);
}
const { score } = await loadScorer();
const manifest: Array<{ name: string; dir: string; script: string }> = JSON.parse(readFileSync(join(setDir, 'manifest.json'), 'utf8'));
const scriptOf = new Map(manifest.map((m) => [m.name, m.script]));
const rtl = new Set(manifest.filter((m) => m.dir === 'rtl').map((m) => m.name));

interface Row {
  name: string;
  score: Score;
}
interface Result {
  system: string;
  rows: Row[];
  pages: number;
  seconds: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
function summary(rows: Row[]): string {
  return `ned_chars ${mean(rows.map((r) => r.score.nedChars ?? r.score.nedWords)).toFixed(3)}  bow_f1 ${mean(rows.map((r) => r.score.bowF1)).toFixed(3)}  (${rows.length} docs)`;
}
function report(set: string, results: Result[], split?: (name: string) => string): void {
  console.log(`\n${set}`);
  for (const r of results) {
    console.log(`  ${r.system.padEnd(10)} ${summary(r.rows)}  ${((r.seconds / Math.max(1, r.pages)) * 1000).toFixed(0)} ms/page (${r.pages} pages)`);
    if (!split) continue;
    const groups = new Map<string, Row[]>();
    for (const row of r.rows) groups.set(split(row.name), [...(groups.get(split(row.name)) ?? []), row]);
    for (const [group, rows] of [...groups].sort()) console.log(`    ${group.padEnd(8)} ${summary(rows)}`);
  }
}

/** Files to Markdown through the embedded pipeline, all submitted at once (a service's throughput). */
async function paperline(files: string[], predictions: string): Promise<{ md: Map<string, string>; pages: number; seconds: number }> {
  const pipeline = await startLocalPipeline({ log: silentLogger() });
  const client = await PaperlineClient.connect({ servers: pipeline.url, waitOnFirstConnect: false });
  try {
    // a warm-up document, uncounted: a pipeline in service is warm
    await client.wait(await client.submit(join(root, 'samples/sample.pdf')), { timeoutMs: 120_000 });
    const started = performance.now();
    const jobs = await Promise.all(files.map(async (file) => ({ file, docId: await client.submit(file) })));
    const md = new Map<string, string>();
    let pages = 0;
    for (const { file, docId } of jobs) {
      const job = await client.wait(docId, { timeoutMs: 60 * 60_000 });
      const name = basename(file).replace(/\.[^.]+$/, '');
      if (job.status !== 'completed') {
        console.error(`paperline: ${basename(file)} ${job.error?.code} ${job.error?.reason}`);
        continue;
      }
      pages += job.pageCount ?? 0;
      md.set(name, new TextDecoder().decode(await client.result(docId, 'md')));
    }
    const seconds = (performance.now() - started) / 1000;
    mkdirSync(predictions, { recursive: true });
    for (const [name, text] of md) writeFileSync(join(predictions, `${name}.md`), text);
    return { md, pages, seconds };
  } finally {
    await client.close();
    await pipeline.close();
  }
}

async function peer(system: string, files: string[], command: (file: string) => [string, string[]], predictions: string): Promise<{ md: Map<string, string>; seconds: number }> {
  const md = new Map<string, string>();
  const started = performance.now();
  for (const file of files) {
    const [cmd, args] = command(file);
    const { stdout } = await run(cmd, args, { maxBuffer: 64 * 2 ** 20 });
    md.set(basename(file).replace(/\.[^.]+$/, ''), stdout);
  }
  const seconds = (performance.now() - started) / 1000;
  mkdirSync(predictions, { recursive: true });
  for (const [name, text] of md) writeFileSync(join(predictions, `${name}.md`), text);
  console.log(`${system}: ${files.length} files in ${seconds.toFixed(1)} s`);
  return { md, seconds };
}

function scored(system: string, truthDir: string, names: string[], md: Map<string, string>, pages: number, seconds: number): Result {
  const rows = names.map((name) => ({ name, score: score(md.get(name) ?? '', readFileSync(join(truthDir, `${name}.md`), 'utf8')) }));
  return { system, rows, pages, seconds };
}

const TESSERACT_LANGS: Record<string, string> = { latin: 'eng', arabic: 'ara+eng', hebrew: 'heb+eng', cjk: 'chi_sim+eng' };

console.log(`paperline bench:quality  set ${setDir}  node ${process.version}`);
if (!only || only === 'born-digital') {
  const dir = join(setDir, 'born-digital');
  const files = readdirSync(dir).filter((f) => f.endsWith('.pdf')).sort().map((f) => join(dir, f));
  const names = files.map((f) => basename(f, '.pdf'));
  const ours = await paperline(files, join(outDir, 'born-digital-paperline'));
  const pt = await peer('pdftotext', files, (f) => ['pdftotext', ['-enc', 'UTF-8', f, '-']], join(outDir, 'born-digital-pdftotext'));
  report('born-digital (generated)', [scored('paperline', dir, names, ours.md, ours.pages, ours.seconds), scored('pdftotext', dir, names, pt.md, ours.pages, pt.seconds)], (n) =>
    rtl.has(n) ? 'rtl' : 'ltr',
  );
}
if (!only || only === 'scans') {
  const dir = join(setDir, 'scans');
  const files = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().slice(0, scanPages).map((f) => join(dir, f));
  const names = files.map((f) => basename(f, '.jpg'));
  const docOf = (name: string) => name.replace(/-p\d+$/, '');
  const ours = await paperline(files, join(outDir, 'scans-paperline'));
  const tess = await peer('tesseract', files, (f) => ['tesseract', [f, '-', '-l', TESSERACT_LANGS[scriptOf.get(docOf(basename(f, '.jpg'))) ?? 'latin'] ?? 'eng']], join(outDir, 'scans-tesseract'));
  report(`scans (generated, first ${files.length} pages)`, [scored('paperline', dir, names, ours.md, ours.pages, ours.seconds), scored('tesseract', dir, names, tess.md, files.length, tess.seconds)], (n) => scriptOf.get(docOf(n)) ?? '?');
}
if (!only || only === 'demo') {
  const images = join(corpus, 'omnidocbench-demo', 'images');
  const truths = join(corpus, 'omnidocbench-demo', 'mds');
  if (!existsSync(images)) console.log(`\ndemo: no corpus at ${corpus} (set PL_CORPUS); skipped`);
  else {
    const files = readdirSync(images).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((f) => join(images, f));
    const names = files.map((f) => basename(f).replace(/\.[^.]+$/, ''));
    const ours = await paperline(files, join(outDir, 'demo-paperline'));
    const tess = await peer('tesseract', files, (f) => ['tesseract', [f, '-', '-l', 'eng+chi_sim']], join(outDir, 'demo-tesseract'));
    report('demo pages (OmniDocBench, 18)', [scored('paperline', truths, names, ours.md, ours.pages, ours.seconds), scored('tesseract', truths, names, tess.md, files.length, tess.seconds)]);
  }
}
// a benchmark ends when it has printed: a library handle left open must not keep it waiting
process.exit(0);
