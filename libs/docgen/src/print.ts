// Prints document models to PDF with Debian's Chromium, headless, through playwright-core. Each page
// box is measured in the browser first: body items that do not fit are cut from the model (and so
// from the ground truth) until everything shown is everything the Markdown says.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { documentHtml } from './html.js';
import { truncatePages, type DocumentModel } from './model.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const MAX_FIT_ROUNDS = 6;

export interface PrintedDocument {
  model: DocumentModel;
  pdf: Uint8Array;
}

/**
 * In the page (a script, not a function of ours: the page has a DOM, this package's types do not):
 * how many body items of each page lie wholly inside its flow box. Overflow makes columns beyond
 * its sides; a tall first line may rise a little above it. A range's rects are its line boxes, each
 * in the column it landed in (an element's own rects are not).
 */
const MEASURE_FIT = `[...document.querySelectorAll('.page')].map((page) => {
  const flow = page.querySelector('.flow');
  if (!flow) return 0;
  const box = flow.getBoundingClientRect();
  let fitted = 0;
  for (const item of flow.querySelectorAll('.b')) {
    const range = document.createRange();
    range.selectNodeContents(item);
    const inside = [...range.getClientRects()].every((r) => r.width === 0 || (r.left >= box.left - 2 && r.right <= box.right + 2 && r.top >= box.top - 20 && r.bottom <= box.bottom + 20));
    if (!inside) break;
    fitted++;
  }
  return fitted;
})`;
const FONTS_READY = 'document.fonts.ready.then(() => true)';

export class DocumentPrinter {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  static async launch(executablePath = process.env['PL_CHROMIUM'] ?? DEFAULT_CHROMIUM): Promise<DocumentPrinter> {
    if (!existsSync(executablePath)) {
      throw new Error(`no Chromium at ${executablePath}: install Debian's (apt-get install -y chromium) or set PL_CHROMIUM`);
    }
    const browser = await chromium.launch({ executablePath, args: FLAGS });
    // an A4 page at 96 px/in, so the boxes measured are the boxes printed
    return new DocumentPrinter(browser, await browser.newPage({ viewport: { width: 794, height: 1123 } }));
  }

  async print(original: DocumentModel): Promise<PrintedDocument> {
    let model = original;
    for (let round = 0; round < MAX_FIT_ROUNDS; round++) {
      await this.page.setContent(documentHtml(model), { waitUntil: 'load' });
      await this.page.evaluate(FONTS_READY);
      const fitted = (await this.page.evaluate(MEASURE_FIT)) as number[];
      if (fitted.every((n, i) => n >= (model.pages[i]?.body.length ?? 0))) {
        const pdf = await this.page.pdf({ preferCSSPageSize: true, printBackground: true });
        return { model, pdf: new Uint8Array(pdf) };
      }
      model = truncatePages(model, fitted);
    }
    throw new Error(`${original.name}: the pages did not settle after ${MAX_FIT_ROUNDS} rounds of fitting`);
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
