// Part of `npm run bench:memory` (run with --expose-gc): the memory of the whole embedded
// pipeline (every stage in one process plus its nats-server) on ../shared/corpus:
//  1. peak RSS over the corpus with every model stage loaded;
//  2. the time from `stage.ocr.paused=true` to the ocr models being released, the RSS given back,
//     and the peak RSS of the text-layer documents while the feature stages are paused;
//  3. a soak of --soak-pages pages (default 1,000): RSS after the first 100 pages against RSS at
//     the end (target: at most 5% growth).
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PaperlineClient } from '@paperline/client';
import { ControlPlane } from '@paperline/stage';
import { silentLogger } from '@paperline/telemetry';
import { startLocalPipeline } from '../../services/cli/src/local/index.js';
import { PeakRss, processRss } from './peak-rss.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SOAK_PAGES = arg('soak-pages', 1000);
const corpus = resolve(process.env['PL_CORPUS'] ?? join(import.meta.dirname, '../../../shared/corpus'));
if (!existsSync(corpus)) {
  console.error(`no corpus at ${corpus} (set PL_CORPUS)`);
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.error('run with --expose-gc for settled RSS figures');
const MiB = 2 ** 20;
const mib = (n: number) => `${(n / MiB).toFixed(0)} MiB`;

const textLayer = ['mineru-demo1.pdf', 'mineru-demo2.pdf', 'mineru-demo3.pdf'].map((f) => join(corpus, 'pdf', f));
const imageDir = join(corpus, 'omnidocbench-demo', 'images');
const images = readdirSync(imageDir).sort().map((f) => join(imageDir, f));
const everything = [...textLayer, join(corpus, 'pdf', 'mineru-small_ocr.pdf'), ...images];

const pipeline = await startLocalPipeline({ log: silentLogger() });
const client = await PaperlineClient.connect({ servers: pipeline.url, waitOnFirstConnect: false });
const control = await ControlPlane.open(client.bus);
const others = pipeline.serverPid ? [pipeline.serverPid] : [];
const ocr = pipeline.runtimes.get('ocr');
if (!ocr) throw new Error('the pipeline has no ocr stage');

/** RSS of the pipeline process plus its nats-server, after a full collection. */
function settledRss(): number {
  return settledParts().total;
}

function settledParts(): { process: number; server: number; total: number } {
  gc?.();
  gc?.();
  const server = others.reduce((sum, pid) => sum + (processRss(pid) ?? 0), 0);
  const own = process.memoryUsage.rss();
  return { process: own, server, total: own + server };
}

async function parseAll(files: string[]): Promise<number> {
  const ids = await Promise.all(files.map((file) => client.submit(file)));
  let pages = 0;
  for (const id of ids) {
    const job = await client.wait(id, { timeoutMs: 30 * 60_000 });
    if (job.status !== 'completed') throw new Error(`${id} ${job.status}: ${job.error?.reason}`);
    pages += job.pageCount ?? 0;
  }
  return pages;
}

function ocrModels(): string[] {
  const handler = ocr!.status()['handler'] as { models?: string[] } | undefined;
  return handler?.models ?? [];
}

console.log(`paperline bench:memory (pipeline)  corpus ${corpus}  node ${process.version}`);
const baseline = settledRss();
console.log(`idle pipeline, no model loaded:          ${mib(baseline)}`);

// 1. every model stage loaded
const loadedPeak = new PeakRss(others, 50);
loadedPeak.start();
const corpusPages = await parseAll(everything);
loadedPeak.stop();
const loadedSettled = settledRss();
console.log(`corpus (${everything.length} files, ${corpusPages} pages), models loaded: peak ${mib(loadedPeak.peakTotal)}, settled ${mib(loadedSettled)}, ocr models ${ocrModels().join(', ')}`);

// 2. pause the feature stages: how fast is the memory given back
const pausedAt = performance.now();
await control.setPaused('ocr', true);
while (ocrModels().length > 0 || ocr.status()['released'] !== true) await new Promise((r) => setTimeout(r, 20));
const releaseMs = performance.now() - pausedAt;
const pausedSettled = settledRss();
console.log(`pause ocr -> models released: ${releaseMs.toFixed(0)} ms (pause grace included); RSS ${mib(loadedSettled)} -> ${mib(pausedSettled)} (${mib(loadedSettled - pausedSettled)} given back)`);
const pausedPeak = new PeakRss(others, 50);
pausedPeak.start();
const pausedPages = await parseAll(textLayer);
pausedPeak.stop();
console.log(`text-layer documents (${pausedPages} pages) with ocr paused: peak ${mib(pausedPeak.peakTotal)} (with models loaded: ${mib(loadedPeak.peakTotal)})`);
await control.setPaused('ocr', false);

// 3. soak
const round = [...textLayer, images[0]!, images[9]!];
let soaked = 0;
let after100: ReturnType<typeof settledParts> | undefined;
const soakPeak = new PeakRss(others, 100);
soakPeak.start();
const soakStart = performance.now();
while (soaked < SOAK_PAGES) {
  soaked += await parseAll(round);
  if (after100 === undefined && soaked >= 100) after100 = settledParts();
}
soakPeak.stop();
const atEnd = settledParts();
const growth = after100 ? ((atEnd.total - after100.total) / after100.total) * 100 : Number.NaN;
console.log(
  `soak ${soaked} pages in ${((performance.now() - soakStart) / 1000).toFixed(0)} s: RSS after 100 pages ${mib(after100?.total ?? 0)}, after ${soaked} pages ${mib(atEnd.total)}, growth ${growth.toFixed(1)}% (target <= 5%), peak ${mib(soakPeak.peakTotal)}`,
);
console.log(`  of which the pipeline process ${mib(after100?.process ?? 0)} -> ${mib(atEnd.process)}, nats-server ${mib(after100?.server ?? 0)} -> ${mib(atEnd.server)}`);
await client.close();
await pipeline.close();
// a benchmark ends when it has printed: a library handle left open must not keep it waiting
process.exit(0);
