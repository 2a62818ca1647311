// npm run bench:orientation [-- --only NAME]
// Page orientation on the 18 OmniDocBench demo pages (../shared/corpus), each turned by 0, 90, 180
// and 270 degrees: the OCR engine's own evidence (detector boxes plus recogniser confidence,
// `OcrEngine.orientations`) against Tesseract's OSD (`tesseract IMAGE stdout --psm 0`, one
// thread, Debian's tesseract-ocr + tesseract-ocr-osd), side by side in one run: how many pages
// each turns upright, and the CPU time per page. Ours is timed with and without the text
// detection it shares with reading (the detection is needed anyway; the probe is the extra).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { decodeRgb, directModels, OCR_MODELS, OcrEngine, rotateRgb, TextDetector, type PageRotation, type RgbImage } from '@paperline/ocr';

const corpus = resolve(process.env['PL_CORPUS'] ?? join(import.meta.dirname, '../../../shared/corpus'));
const imageDir = join(corpus, 'omnidocbench-demo', 'images');
if (!existsSync(imageDir)) {
  console.error(`no demo images at ${imageDir} (set PL_CORPUS)`);
  process.exit(2);
}
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 ? process.argv[onlyIndex + 1] : undefined;
const files = readdirSync(imageDir).filter((f) => !only || f.includes(only)).sort();
const tesseract = spawnSync('tesseract', ['--list-langs'], { encoding: 'utf8' });
const hasOsd = tesseract.status === 0 && /^osd$/m.test(tesseract.stdout);
if (!hasOsd) console.log('tesseract with the osd model not found (apt-get install tesseract-ocr tesseract-ocr-osd): its column stays empty');

const TURNS: PageRotation[] = [0, 90, 180, 270];
/** An image turned clockwise by `turn` stands upright after turning it by this much more. */
const fix = (turn: PageRotation): PageRotation => ((360 - turn) % 360) as PageRotation;

/** Tesseract's OSD "Rotate:" (clockwise degrees that make the page upright) and its CPU seconds. */
function osd(path: string): { rotation: PageRotation; cpuS: number } {
  const out = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', 'tesseract', path, 'stdout', '--psm', '0'], { encoding: 'utf8', env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
  const rotate = /Rotate:\s*(\d+)/.exec(out.stdout)?.[1];
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(out.stderr);
  return { rotation: (rotate ? Number(rotate) % 360 : 0) as PageRotation, cpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN };
}

const cpuSeconds = async <T>(work: () => Promise<T>): Promise<{ value: T; cpuS: number }> => {
  const start = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(start);
  return { value, cpuS: (used.user + used.system) / 1e6 };
};

const models = directModels();
const engine = new OcrEngine(models);
const detector = new TextDetector(await models.acquire(OCR_MODELS.ch.det));
await engine.orientations([]); // models loaded outside the timings
const scratch = mkdtempSync(join(tmpdir(), 'pl-orientation-'));
const tally = { ours: 0, osd: 0, pages: 0, oursCpu: 0, detectCpu: 0, osdCpu: 0 };
console.log(`paperline bench:orientation  ${files.length} pages x 4 turns  tesseract ${hasOsd ? execFileSync('tesseract', ['--version'], { encoding: 'utf8' }).split('\n')[0] : 'absent'}`);
console.log('page'.padEnd(44) + 'turn  ours  osd');
for (const file of files) {
  const upright = await decodeRgb(readFileSync(join(imageDir, file)));
  for (const turn of TURNS) {
    const image: RgbImage = await rotateRgb(upright, turn);
    const ours = await cpuSeconds(async () => (await engine.orientations([{ image }]))[0]!);
    const detect = await cpuSeconds(() => detector.detect(image));
    let theirs: { rotation: PageRotation; cpuS: number } | undefined;
    if (hasOsd) {
      const path = join(scratch, 'page.png');
      writeFileSync(path, await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer());
      theirs = osd(path);
    }
    tally.pages++;
    tally.ours += ours.value === fix(turn) ? 1 : 0;
    tally.osd += theirs?.rotation === fix(turn) ? 1 : 0;
    tally.oursCpu += ours.cpuS;
    tally.detectCpu += detect.cpuS;
    tally.osdCpu += theirs?.cpuS ?? 0;
    const mark = (r: PageRotation | undefined) => (r === undefined ? '-' : `${r}${r === fix(turn) ? '' : '!'}`).padStart(5);
    console.log(`${file.slice(0, 42).padEnd(44)}${String(turn).padStart(4)} ${mark(ours.value)} ${mark(theirs?.rotation)}`);
  }
}
const perPage = (s: number) => `${((s / tally.pages) * 1000).toFixed(0)} ms`;
console.log(`upright after the fix: ours ${tally.ours}/${tally.pages}, tesseract osd ${hasOsd ? `${tally.osd}/${tally.pages}` : '-'}`);
console.log(
  `cpu per page: ours ${perPage(tally.oursCpu)} (detection ${perPage(tally.detectCpu)}, probe ${perPage(tally.oursCpu - tally.detectCpu)}), ` +
    `tesseract osd ${hasOsd ? perPage(tally.osdCpu) : '-'}`,
);
rmSync(scratch, { recursive: true, force: true });
await engine.release();
process.exit(0);
