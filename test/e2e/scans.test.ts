// Scans through the whole pipeline: a scanned PDF page turned sideways or upside down reads like
// its upright version, and a page reads to the same bytes whatever shares its OCR batch, also
// across a pause and resume of the ocr stage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distance } from 'fastest-levenshtein';
import sharp from 'sharp';
import { PaperlineClient } from '@paperline/client';
import { Streams, consumerName } from '@paperline/contracts';
import { ControlPlane } from '@paperline/stage';
import { silentLogger } from '@paperline/telemetry';
import { buildPdf, pollUntil, textImage, textSvg } from '@paperline/testing';
import { startLocalPipeline, type LocalPipeline } from '../../services/cli/src/local/index.js';

const SCAN = [
  'A scanned letter has no text layer,',
  'so every word of it comes from OCR.',
  'Scanners feed pages in sideways and',
  'upside down, and the reader must turn',
  'each page upright before reading it.',
];


/** A one-page PDF whose only content is a scan (no text layer), turned clockwise by `turn`. */
async function scannedPdf(turn: 0 | 90 | 180 | 270): Promise<Uint8Array> {
  const { data, info } = await sharp(textSvg(SCAN, { width: 850, height: 1100, fontSize: 30 }))
    .flatten({ background: '#ffffff' })
    .rotate(turn)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const [width, height] = turn % 180 === 0 ? [612, 792] : [792, 612];
  return buildPdf([{ width, height, images: [{ x: 0, y: 0, w: width, h: height, pixelWidth: info.width, pixelHeight: info.height, pixels: data }] }]);
}

describe('scans end to end', () => {
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

  const markdownOf = async (docId: string) => {
    const job = await client.wait(docId, { timeoutMs: 180_000 });
    expect(job.status).toBe('completed');
    return new TextDecoder().decode(await client.result(docId, 'md'));
  };

  it('a scanned PDF page turned by 90, 180 and 270 degrees reads within 0.05 ned_chars of upright', async () => {
    const upright = await markdownOf(await client.submit(await scannedPdf(0), { fileName: 'scan-0.pdf' }));
    expect(upright).toContain('upside down');
    for (const turn of [90, 180, 270] as const) {
      const md = await markdownOf(await client.submit(await scannedPdf(turn), { fileName: `scan-${turn}.pdf` }));
      expect(distance(md, upright) / Math.max(md.length, upright.length), `turned by ${turn}`).toBeLessThanOrEqual(0.05);
    }
  }, 600_000);

  it('an image gives byte-identical Markdown alone and in a mixed OCR batch after a pause and resume of ocr', async () => {
    const page = await textImage(['Invoice 2041', 'Paperline reads scanned pages with PP-OCR', 'Total due: 17.50 EUR'], 'png', { width: 900, height: 260, fontSize: 30 });
    const others = await Promise.all([
      textImage(['Short', 'A much longer line of text than any other line here', 'Net 30'], 'png', { width: 1400, height: 300, fontSize: 30 }),
      textImage(['x', 'Another line of middling width', 'Paperline'], 'png', { width: 1000, height: 300, fontSize: 30 }),
    ]);
    const alone = await markdownOf(await client.submit(page, { fileName: 'page.png' }));

    const control = await ControlPlane.open(client.bus);
    const ocr = pipeline.runtimes.get('ocr')!;
    await control.setPaused('ocr', true);
    try {
      await pollUntil('ocr paused', () => ocr.state === 'paused');
      // a pull it opened before the pause may still be waiting (up to its expiry), and would take
      // and process a page: the pages go in once no pull of ocr's is open
      await pollUntil('no open pull of ocr', async () => (await client.bus.jsm.consumers.info(Streams.work, consumerName('ocr', 'normal'))).num_waiting === 0);
      const docIds: string[] = [];
      for (const [i, bytes] of [others[0]!, page, others[1]!].entries()) docIds.push(await client.submit(bytes, { fileName: `mixed-${i}.png` }));
      // all three reach ocr's consumer while it is paused, and are read on resume
      let seen = '';
      const jobsOf = async () => (await Promise.all(docIds.map((id) => client.status(id)))).map((j) => `${j.docId} ${j.status} ${j.pagesDone.length}/${j.pageCount ?? '?'}`).join('; ');
      await pollUntil(
        'three pages queued for ocr',
        async () => {
          const info = await client.bus.jsm.consumers.info(Streams.work, consumerName('ocr', 'normal'));
          seen = `pending ${info.num_pending}, ack pending ${info.num_ack_pending}, redelivered ${info.num_redelivered}, delivered ${info.delivered.consumer_seq}; jobs: ${await jobsOf()}`;
          return info.num_pending >= 3;
        },
        { detail: () => seen },
      );
      await control.setPaused('ocr', false);
      const mixed = await markdownOf(docIds[1]!);
      expect(mixed).toBe(alone);
      for (const docId of docIds) await markdownOf(docId);
    } finally {
      await control.setPaused('ocr', false);
    }
  }, 600_000);
});
