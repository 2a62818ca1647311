// npm run bench:parse [-- --out DIR] [-- --only text-layer|ocr]
// Pages/s and peak RSS of the embedded pipeline (every stage in one process plus its nats-server)
// on two paths of the corpus in ../shared/corpus: the born-digital PDFs (text-layer path) and the
// scanned PDF plus the 18 page images (OCR path). With --out, the Markdown of every file is
// written there, so `node ../shared/eval/score.mjs DIR ../shared/corpus/omnidocbench-demo/mds`
// scores the same run. A warm-up document (samples/sample.pdf) goes first, uncounted: a pipeline
// in service is warm. The text-layer path runs --rounds times (default 10: V8 keeps optimising
// pdfjs and the stages for the first ~100 pages) and every round prints, the first (cold) one too.
// The anchor: poppler's `pdftotext` reads the same 3 PDFs once after each of paperline's rounds (so
// a machine that slows down or speeds up during the run does so for both), and the ratio of
// paperline's median text-layer pages/s to pdftotext's median is printed (issue 14 wants >= 0.2).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PaperlineClient } from '@paperline/client';
import { silentLogger } from '@paperline/telemetry';
import { startLocalPipeline } from '../../services/cli/src/local/index.js';
import { PeakRss, childPids, processCpuMs } from './peak-rss.js';
import { percentile } from './stats.js';

const corpus = resolve(process.env['PL_CORPUS'] ?? join(import.meta.dirname, '../../../shared/corpus'));
const outIndex = process.argv.indexOf('--out');
const outDir = outIndex > 0 ? resolve(process.argv[outIndex + 1] ?? 'out') : undefined;
const roundsIndex = process.argv.indexOf('--rounds');
const rounds = roundsIndex > 0 ? Number(process.argv[roundsIndex + 1]) : 10;
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 ? process.argv[onlyIndex + 1] : undefined;
if (only !== undefined && only !== 'text-layer' && only !== 'ocr') {
  console.error(`--only takes text-layer or ocr, not ${only}`);
  process.exit(2);
}
if (!existsSync(corpus)) {
  console.error(`no corpus at ${corpus} (set PL_CORPUS)`);
  process.exit(2);
}

const textLayerFiles = ['mineru-demo1.pdf', 'mineru-demo2.pdf', 'mineru-demo3.pdf'].map((f) => join(corpus, 'pdf', f));
const imageDir = join(corpus, 'omnidocbench-demo', 'images');
const ocrFiles = [join(corpus, 'pdf', 'mineru-small_ocr.pdf'), ...readdirSync(imageDir).sort().map((f) => join(imageDir, f))];

const pipeline = await startLocalPipeline({ log: silentLogger() });
const client = await PaperlineClient.connect({ servers: pipeline.url, waitOnFirstConnect: false });
const rss = new PeakRss(childPids, 100, 'its child processes (nats-server, render processes)');
/** nats-server's CPU time so far (0 without a local one: an external server is not measured). */
const serverCpuMs = () => (pipeline.serverPid === undefined ? 0 : (processCpuMs(pipeline.serverPid) ?? 0));
/** Render's render processes (PL_RENDER_ISOLATION=process): every child process but the nats-server. */
const renderPids = () => childPids().filter((pid) => pid !== pipeline.serverPid);
rss.start();

async function runPath(name: string, files: string[]): Promise<number> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const renderCpuStart = new Map(renderPids().map((pid) => [pid, processCpuMs(pid) ?? 0]));
  const serverCpuStart = serverCpuMs();
  const jobs = await Promise.all(files.map(async (file) => ({ file, docId: await client.submit(file) })));
  let pages = 0;
  let failed = 0;
  for (const { file, docId } of jobs) {
    const job = await client.wait(docId, { timeoutMs: 30 * 60_000 });
    if (job.status !== 'completed') {
      failed++;
      console.error(`${basename(file)}: ${job.error?.code} ${job.error?.reason}`);
      continue;
    }
    pages += job.pageCount ?? 0;
    if (outDir) writeFileSync(join(outDir, `${basename(file).replace(/\.[^.]+$/, '')}.md`), await client.result(docId, 'md'));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  // CPU time of this process (all its threads) and of the render processes: comparable across runs on a machine shared with other jobs
  const renderCpuMs = renderPids().reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0) - (renderCpuStart.get(pid) ?? 0), 0);
  const cpuMs = (cpu.user + cpu.system) / 1000 + renderCpuMs;
  const serverCpu = serverCpuMs() - serverCpuStart;
  console.log(
    `${name.padEnd(13)} files ${String(files.length).padStart(3)}  pages ${String(pages).padStart(4)}  failed ${failed}  ` +
      `${seconds.toFixed(2)} s  ${(pages / seconds).toFixed(2)} pages/s  ${((seconds / Math.max(1, pages)) * 1000).toFixed(0)} ms/page  ` +
      `cpu ${(cpuMs / 1000).toFixed(2)} s (${(cpuMs / Math.max(1, pages)).toFixed(0)} ms/page, render processes ${(renderCpuMs / 1000).toFixed(2)} s)  ` +
      `nats-server cpu ${(serverCpu / 1000).toFixed(2)} s (${(serverCpu / Math.max(1, pages)).toFixed(0)} ms/page)`,
  );
  return pages / seconds;
}

/**
 * pdftotext on `files` (one process per file, as a user would run it), or undefined without it:
 * `round()` reads all of them once and returns its pages/s.
 */
function pdftotextAnchor(files: string[]): { version: string; round: () => number } | undefined {
  const probe = spawnSync('pdftotext', ['-v'], { encoding: 'utf8' });
  if (probe.error) return undefined;
  const version = /pdftotext version ([\d.]+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? 'unknown version';
  const pages = files.reduce((n, file) => n + Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1] ?? 0), 0);
  return {
    version,
    round: () => {
      const started = performance.now();
      for (const file of files) execFileSync('pdftotext', [file, '-'], { stdio: ['ignore', 'ignore', 'ignore'] });
      return pages / ((performance.now() - started) / 1000);
    },
  };
}

if (outDir) mkdirSync(outDir, { recursive: true });
console.log(`paperline bench:parse  corpus ${corpus}  node ${process.version}`);
const warmUp = await client.wait(await client.submit(join(import.meta.dirname, '../../samples/sample.pdf')), { timeoutMs: 60_000 });
console.log(`warm-up: samples/sample.pdf ${warmUp.status}`);
if (only !== 'ocr') {
  const anchor = pdftotextAnchor(textLayerFiles);
  if (!anchor) console.log('pdftotext not found (Debian: apt-get install poppler-utils): no anchor');
  const rates: number[] = [];
  const anchorRates: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    rates.push(await runPath(`text-layer ${round}`, textLayerFiles));
    // the anchor's round right after paperline's: both see the machine as it is at that moment
    if (anchor) anchorRates.push(anchor.round());
  }
  const median = percentile(rates, 50);
  console.log(`text-layer median of ${rounds}: ${median.toFixed(2)} pages/s`);
  if (anchor) {
    const anchorMedian = percentile(anchorRates, 50);
    console.log(`pdftotext ${anchor.version}, same files, a round after each of paperline's: ${anchorRates.map((r) => r.toFixed(0)).join(' ')} pages/s`);
    console.log(`pdftotext median of ${rounds}: ${anchorMedian.toFixed(2)} pages/s`);
    console.log(`text-layer ratio to pdftotext: ${(median / anchorMedian).toFixed(3)}`);
  }
}
if (only !== 'text-layer') await runPath('ocr', ocrFiles);
rss.stop();
console.log(rss.report());
await client.close();
await pipeline.close();
// a benchmark ends when it has printed: a library handle left open must not keep it waiting
process.exit(0);
