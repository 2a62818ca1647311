// npm run bench:determinism [-- --pauses 2]
// Issue 13's determinism acceptance at full size, on the embedded pipeline: the 18 OmniDocBench demo
// images of ../shared/corpus read through the OCR path twice, once each alone (one document in the
// pipeline at a time), once mixed with the whole corpus (its PDFs and the images, all submitted at
// once while ocr is paused, so their pages queue up and share OCR stage batches), with ocr paused
// again (models released) and resumed partway through (--pauses, default 2 pauses in all). The
// Markdown of each image is compared byte for byte; for any that differ the similarity
// (1 - Levenshtein distance / longer length) and a diff excerpt print.
// test/e2e/scans.test.ts checks the same with generated images.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import { distance } from 'fastest-levenshtein';
import { PaperlineClient } from '@paperline/client';
import { ModelEventSchema, Streams, Subjects, consumerName, decode } from '@paperline/contracts';
import { ControlPlane } from '@paperline/stage';
import { silentLogger } from '@paperline/telemetry';
import { pollUntil } from '@paperline/testing';
import { startLocalPipeline } from '../../services/cli/src/local/index.js';

const corpus = resolve(process.env['PL_CORPUS'] ?? join(import.meta.dirname, '../../../shared/corpus'));
const pauses = Number(parseArgs({ options: { pauses: { type: 'string', default: '2' } } }).values.pauses);
if (!existsSync(corpus)) {
  console.error(`no corpus at ${corpus} (set PL_CORPUS)`);
  process.exit(2);
}
const imageDir = join(corpus, 'omnidocbench-demo', 'images');
const images = readdirSync(imageDir).sort().map((f) => join(imageDir, f));
const pdfDir = join(corpus, 'pdf');
const pdfs = readdirSync(pdfDir).sort().map((f) => join(pdfDir, f));
const TIMEOUT_MS = 60 * 60_000;
/** Lines of diff shown per differing image. */
const EXCERPT_LINES = 14;

const pipeline = await startLocalPipeline({ log: silentLogger() });
const client = await PaperlineClient.connect({ servers: pipeline.url, waitOnFirstConnect: false });
const control = await ControlPlane.open(client.bus);
const ocr = pipeline.runtimes.get('ocr')!;
// the ocr models loaded now, from the model events (a stage's /status names the models it uses, not those loaded)
const ocrLoaded = new Set<string>();
const modelEvents = new Map<string, number>();
client.bus.nc.subscribe(Subjects.modelEvent('>'), {
  callback: (_error, message) => {
    const event = decode(ModelEventSchema, message.data);
    if (event.stage !== 'ocr') return;
    modelEvents.set(event.event, (modelEvents.get(event.event) ?? 0) + 1);
    if (event.event === 'loaded') ocrLoaded.add(event.model);
    if (event.event === 'unload' || event.event === 'evict' || event.event === 'idle_unload') ocrLoaded.delete(event.model);
  },
});

async function markdownOf(docId: string, file: string): Promise<string> {
  const job = await client.wait(docId, { timeoutMs: TIMEOUT_MS });
  if (job.status !== 'completed') throw new Error(`${basename(file)}: ${job.status} ${job.error?.code ?? ''} ${job.error?.reason ?? ''}`);
  return new TextDecoder().decode(await client.result(docId, 'md'));
}

async function pauseOcr(): Promise<void> {
  await control.setPaused('ocr', true);
  // its batch finished, and after the pause grace its models are unloaded (loaded afresh on resume)
  await pollUntil('ocr paused, models unloaded', () => ocr.state === 'paused' && ocr.status()['released'] === true && ocrLoaded.size === 0, {
    timeoutMs: TIMEOUT_MS,
    intervalMs: 100,
  });
}

async function ocrQueued(): Promise<number> {
  const [high, normal] = await Promise.all(['high', 'normal'].map((p) => client.bus.jsm.consumers.info(Streams.work, consumerName('ocr', p as 'high' | 'normal'))));
  return high!.num_pending + high!.num_ack_pending + normal!.num_pending + normal!.num_ack_pending;
}

console.log(`paperline bench:determinism  corpus ${corpus}  ${images.length} images, ${pdfs.length} PDFs  node ${process.version}`);
const alone = new Map<string, string>();
let started = performance.now();
for (const file of images) alone.set(file, await markdownOf(await client.submit(file), file));
console.log(`alone: ${images.length} images one at a time in ${((performance.now() - started) / 1000).toFixed(1)} s`);

started = performance.now();
await pauseOcr();
const submitted = await Promise.all([...pdfs, ...images].map(async (file) => ({ file, docId: await client.submit(file) })));
// the scanned PDF's pages and every image reach ocr while it is paused, so they share its batches
const scannedPages = 8;
const expected = images.length + scannedPages;
const queued = await pollUntil('the OCR pages queued', async () => {
  const n = await ocrQueued();
  return n >= expected && n;
}, { timeoutMs: 10 * 60_000, intervalMs: 250 }).catch(async () => ocrQueued());
console.log(`mixed: ${submitted.length} documents submitted at once with ocr paused (models unloaded); ${queued} OCR tasks queued when it resumed`);
await control.setPaused('ocr', false);
const mixed = new Map<string, string>();
const waits = submitted.map(async ({ file, docId }) => {
  const md = await markdownOf(docId, file);
  if (images.includes(file)) mixed.set(file, md);
});
for (let pause = 1; pause < pauses; pause++) {
  const after = Math.round((pause * images.length) / pauses);
  await pollUntil(`${after} images done`, () => mixed.size >= after, { timeoutMs: TIMEOUT_MS, intervalMs: 100 });
  await pauseOcr();
  console.log(`  ocr paused again after ${mixed.size} images (models unloaded), ${await ocrQueued()} OCR tasks waiting; resumed`);
  await control.setPaused('ocr', false);
}
await Promise.all(waits);
console.log(`mixed: the whole corpus in ${((performance.now() - started) / 1000).toFixed(1)} s; ocr model events over the run: ${[...modelEvents].map(([e, n]) => `${e} ${n}`).join(', ')}`);

let identical = 0;
for (const file of images) {
  const a = alone.get(file)!;
  const b = mixed.get(file)!;
  const name = basename(file);
  if (a === b) {
    identical++;
    continue;
  }
  const similarity = 1 - distance(a, b) / Math.max(a.length, b.length, 1);
  console.log(`\nDIFFERS ${name}: similarity ${similarity.toFixed(4)} (${a.length} and ${b.length} characters)`);
  const patch = createTwoFilesPatch('alone', 'mixed', a, b, '', '', { context: 1 }).split('\n').slice(2, 2 + EXCERPT_LINES);
  console.log(patch.map((line) => `  ${line}`).join('\n'));
}
console.log(`\nidentical Markdown: ${identical} / ${images.length}`);
await control.setPaused('ocr', false);
await client.close();
await pipeline.close();
process.exit(identical === images.length ? 0 : 1);
