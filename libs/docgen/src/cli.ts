// npm run gen:docs -- --out DIR [--count 50] [--seed 1] [--scans] [--fixtures]
// Writes DIR/born-digital/NAME.pdf + NAME.md (the truth), DIR/manifest.json (script, arrangement,
// gutter of each), and with --scans DIR/scans/NAME-pN.jpg + NAME-pN.md (one page each).
// --fixtures writes the pinned fixture set instead of the seeded dev set.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { documentMarkdown, pageMarkdown } from './markdown.js';
import { DocumentPrinter } from './print.js';
import { scanPages } from './scan.js';
import { devSet, FIXTURE_SET, modelsOf } from './sets.js';

const SCAN_DPI = 150;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const out = arg('out');
  if (!out) throw new Error('usage: gen:docs -- --out DIR [--count 50] [--seed 1] [--scans] [--fixtures]');
  const seed = Number(arg('seed') ?? 1);
  const entries = process.argv.includes('--fixtures') ? FIXTURE_SET : devSet(Number(arg('count') ?? 50), seed);
  const bornDigital = join(resolve(out), 'born-digital');
  const scans = join(resolve(out), 'scans');
  await mkdir(bornDigital, { recursive: true });
  if (process.argv.includes('--scans')) await mkdir(scans, { recursive: true });
  const printer = await DocumentPrinter.launch();
  const manifest = [];
  try {
    for (const [index, model] of modelsOf(entries).entries()) {
      const printed = await printer.print(model);
      await writeFile(join(bornDigital, `${model.name}.pdf`), printed.pdf);
      await writeFile(join(bornDigital, `${model.name}.md`), documentMarkdown(printed.model));
      const { pages, ...features } = printed.model;
      manifest.push({ ...features, pages: pages.length });
      if (process.argv.includes('--scans')) {
        const images = await scanPages(printed.pdf, { dpi: SCAN_DPI, seed: seed * 7919 + index });
        for (const [i, image] of images.entries()) {
          const page = printed.model.pages[i];
          if (!page) continue;
          await writeFile(join(scans, `${model.name}-p${i + 1}.jpg`), image);
          await writeFile(join(scans, `${model.name}-p${i + 1}.md`), pageMarkdown(page));
        }
      }
      console.log(`${model.name}\t${model.script}${model.mixedWith ? `+${model.mixedWith}` : ''}\t${model.arrangement.kind === 'columns' ? `${model.arrangement.count} col` : 'side-heads'}\tgutter ${model.gutterPt} pt\t${pages.length} p`);
    }
  } finally {
    await printer.close();
  }
  await writeFile(join(resolve(out), 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
}

await main();
