// Issue 13's fairness acceptance, scaled down: a one-page image submitted while a long blank PDF
// is in the pipeline completes within 3x its time alone, and with priority high within 1.5x (each
// behind-run against the image alone just before it: the rest of the suite runs beside this file).
// The full-size figures (2,000 pages, 20 s) come from `npm run bench:fairness`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaperlineClient } from '@paperline/client';
import { silentLogger } from '@paperline/telemetry';
import { textImage } from '@paperline/testing';
import { startLocalPipeline, type LocalPipeline } from '../../services/cli/src/local/index.js';
import { measureFairness } from './scenario.js';

// enough pages that the image still overlaps them on a busy machine (400 were all done first there)
const BLANK_PAGES = 2000;

describe('fair scheduling', () => {
  let pipeline: LocalPipeline;
  let client: PaperlineClient;

  beforeAll(async () => {
    pipeline = await startLocalPipeline({ log: silentLogger() });
    client = await PaperlineClient.connect({ servers: pipeline.url, waitOnFirstConnect: false });
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await pipeline?.close();
  });

  it('a small image behind a long blank PDF completes within 3x its time alone, and within 1.5x with priority high', async () => {
    // a page of text, as a scanned page: seconds of OCR alone, like the images (4-6 s)
    const image = await textImage(Array.from({ length: 16 }, (_, i) => `Line ${i + 1} of a fair share of the pipeline, invoice 47${i}`));
    const result = await measureFairness(client, { blankPages: BLANK_PAGES, image, timeoutMs: 240_000 });
    const { aloneSeconds, behindNormal, behindHigh } = result;
    const pair = (b: typeof behindNormal) => `${b.seconds.toFixed(2)} s (alone just before: ${b.aloneSeconds.toFixed(2)} s, ${b.ratio.toFixed(2)}x)`;
    const figures = `alone ${aloneSeconds.toFixed(2)} s (median), behind normal ${pair(behindNormal)}, behind high ${pair(behindHigh)}`;
    console.log(`fairness: ${figures}`);
    // the image really overlapped the long document: it was submitted and completed while pages were still to do
    for (const behind of [behindNormal, behindHigh]) {
      expect(behind.pagesDoneAtCompletion, figures).toBeLessThan(BLANK_PAGES);
      expect(behind.long.pagesDone).toHaveLength(BLANK_PAGES);
    }
    expect(behindNormal.ratio, figures).toBeLessThanOrEqual(3);
    expect(behindHigh.ratio, figures).toBeLessThanOrEqual(1.5);
  }, 600_000);
});
