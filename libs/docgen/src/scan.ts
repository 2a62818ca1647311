// Scan-like images of printed pages: poppler's pdftoppm rasterises, sharp adds what a scanner
// does (a slight skew, blur, grey speckle, JPEG), seeded so the set is the same on every run.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { Random } from './random.js';

const run = promisify(execFile);

export interface ScanOptions {
  dpi: number;
  seed: number;
  /** Largest skew either way, in degrees. @default 1 */
  maxSkewDeg?: number;
}

/** The pages of a PDF as scan-like JPEGs, in page order. */
export async function scanPages(pdf: Uint8Array, options: ScanOptions): Promise<Uint8Array[]> {
  const dir = await mkdtemp(join(tmpdir(), 'pl-scan-'));
  try {
    await writeFile(join(dir, 'doc.pdf'), pdf);
    try {
      await run('pdftoppm', ['-r', String(options.dpi), '-gray', '-png', join(dir, 'doc.pdf'), join(dir, 'page')]);
    } catch (error) {
      throw new Error('pdftoppm failed: is poppler-utils installed? (scripts/install-quality-tools.sh)', { cause: error });
    }
    const pages = (await readdir(dir)).filter((f) => f.startsWith('page') && f.endsWith('.png')).sort();
    const random = new Random(options.seed);
    const out: Uint8Array[] = [];
    for (const file of pages) out.push(await scanLike(await readFile(join(dir, file)), random, options.maxSkewDeg ?? 1));
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function scanLike(png: Buffer, random: Random, maxSkewDeg: number): Promise<Uint8Array> {
  const skew = (random.next() * 2 - 1) * maxSkewDeg;
  const { data, info } = await sharp(png)
    .rotate(skew, { background: '#ffffff' })
    .blur(0.5 + random.next() * 0.4)
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  // paper grain and toner speckle
  for (let i = 0; i < data.length; i++) {
    const noise = (random.next() - 0.5) * 40;
    let v = data[i]! * 0.92 + 14 + noise;
    if (random.next() < 0.0006) v = 40;
    data[i] = Math.max(0, Math.min(255, v));
  }
  const jpeg = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality: 72 }).toBuffer();
  return new Uint8Array(jpeg);
}
