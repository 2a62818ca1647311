// OCR page mode over a folder of page images, one Markdown file per image, for score.mjs.
// Not a test: it reads the shared corpus. Usage:
//   node --conditions=@paperline/source --import tsx test/eval/ocr-corpus.ts IMAGES_DIR OUT_DIR [--lang ch|en] [--limit 960] [--cls]
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Block, Language } from '@paperline/contracts';
import { decodeRgb, directModels, OcrEngine } from '@paperline/ocr';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function toMarkdown(blocks: Block[]): string {
  return blocks.filter((b) => b.type !== 'header' && b.type !== 'footer').map((b) => (b.type === 'heading' || b.type === 'title' ? `${'#'.repeat(b.level ?? 2)} ${b.text}` : b.text)).join('\n\n') + '\n';
}

async function main(): Promise<void> {
  const [imagesDir, outDir] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  if (!imagesDir || !outDir) throw new Error('usage: ocr-corpus.ts IMAGES_DIR OUT_DIR [--lang ch|en] [--limit N] [--cls]');
  const lang = (arg('lang') ?? 'ch') as Language;
  const limit = Number(arg('limit') ?? 960);
  const unclip = arg('unclip') === undefined ? undefined : Number(arg('unclip'));
  const engine = new OcrEngine(directModels(), {
    lang,
    useCls: process.argv.includes('--cls'),
    latinRecheck: !process.argv.includes('--no-latin'),
    detector: {
      limitSide: limit,
      ...(unclip === undefined ? {} : { cropUnclipRatio: unclip }),
      ...(arg('box-unclip') === undefined ? {} : { unclipRatio: Number(arg('box-unclip')) }),
    },
    minConfidence: Number(arg('minconf') ?? 0.5),
    recognizer: { minWidth: Number(arg('minw') ?? 320), batchSize: Number(arg('batch') ?? 8) },
  });
  await mkdir(outDir, { recursive: true });
  const only = arg('only');
  const files = (await readdir(imagesDir)).filter((f) => /\.(jpe?g|png|webp|tiff?)$/i.test(f) && (!only || f.includes(only))).sort();
  let peakRss = 0;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
  const loadStart = performance.now();
  await engine.readLines([], lang); // load the models outside the per-page timings
  const loadMs = performance.now() - loadStart;
  let total = 0;
  const cpuStart = process.cpuUsage();
  for (const file of files) {
    const start = performance.now();
    const image = await decodeRgb(await readFile(join(imagesDir, file)));
    const [blocks] = await engine.readPages([{ image, idPrefix: 'p1' }], lang);
    const ms = performance.now() - start;
    total += ms;
    await writeFile(join(outDir, `${basename(file, extname(file))}.md`), toMarkdown(blocks ?? []));
    if (process.argv.includes('--json')) await writeFile(join(outDir, `${basename(file, extname(file))}.json`), JSON.stringify({ width: image.width, height: image.height, blocks }));
    console.log(`${file}\t${image.width}x${image.height}\t${(blocks ?? []).length} blocks\t${ms.toFixed(0)} ms`);
  }
  clearInterval(sample);
  const cpu = process.cpuUsage(cpuStart);
  const cpuPerPage = (cpu.user + cpu.system) / 1000 / Math.max(1, files.length);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  console.log(`pages=${files.length} load=${loadMs.toFixed(0)}ms mean=${(total / Math.max(1, files.length)).toFixed(0)}ms/page cpu=${cpuPerPage.toFixed(0)}ms/page peakRss=${(peakRss / 2 ** 20).toFixed(0)}MiB lang=${lang} limit=${limit} unclip=${unclip ?? 'default'}`);
  await engine.release();
}

await main();
