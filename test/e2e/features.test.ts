// The feature stages end to end through the embedded pipeline: tables and charts of generated
// PDFs through the table and chart stages; with the features turned off by flag, the same
// documents through the fallbacks; with only the table stage paused, its documents wait (lag in
// consumer info) while the other stages serve, and complete after resume.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus } from '@paperline/bus';
import { ParsedDocumentSchema, Streams, consumerName } from '@paperline/contracts';
import { PaperlineClient } from '@paperline/client';
import { ControlPlane } from '@paperline/stage';
import { silentLogger } from '@paperline/telemetry';
import { buildPdf, chartPage, ruledTablePage, spannedTablePage, tableImage, textPage } from '@paperline/testing';
import { startLocalPipeline, type LocalPipeline } from '../../services/cli/src/local/index.js';

const RULED = ruledTablePage([
  ['Name', 'Value', 'Unit'],
  ['alpha', '1.0', 'm'],
  ['beta', '2.5', 's'],
]);

/** Polls `read` until `done` holds or the deadline passes; returns the last value. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

describe('table and chart stages end to end', () => {
  let pipeline: LocalPipeline;
  let client: PaperlineClient;
  let bus: Bus;
  let control: ControlPlane;

  beforeAll(async () => {
    // layout reads the feature flags for every page, so a flag change holds from the next document on
    pipeline = await startLocalPipeline({ log: silentLogger(), overrides: { layout: { featureCacheMs: 0 } } });
    client = await PaperlineClient.connect({ servers: pipeline.url, waitOnFirstConnect: false });
    bus = await Bus.connect({ servers: pipeline.url, waitOnFirstConnect: false });
    control = await ControlPlane.open(bus);
  }, 120_000);
  afterAll(async () => {
    await bus?.close();
    await client?.close();
    await pipeline?.close();
  });

  async function parse(pages: Parameters<typeof buildPdf>[0], fileName: string) {
    const docId = await client.submit(buildPdf(pages), { fileName });
    const job = await client.wait(docId, { timeoutMs: 120_000 });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const md = new TextDecoder().decode(await client.result(docId, 'md'));
    const json = ParsedDocumentSchema.parse(JSON.parse(new TextDecoder().decode(await client.result(docId, 'json'))));
    return { md, blocks: json.pages.flatMap((p) => p.blocks) };
  }

  it('a ruled table comes back as GFM, a grid with merged cells as HTML with rowspan and colspan, a chart as a chart block with its caption', async () => {
    const { md, blocks } = await parse([RULED, spannedTablePage(), chartPage()], 'tables-and-chart.pdf');
    expect(md).toContain('| Name | Value | Unit |\n| --- | --- | --- |\n| alpha | 1.0 | m |\n| beta | 2.5 | s |');
    expect(md).toContain('<table><tr><td rowspan="2">Region</td><td colspan="2">Sales</td></tr><tr><td>2023</td><td>2024</td></tr><tr><td>North</td><td>12</td><td>15</td></tr><tr><td>South</td><td>9</td><td>11</td></tr></table>');
    const chart = blocks.find((b) => b.type === 'chart');
    expect(chart, JSON.stringify(blocks.map((b) => [b.type, b.text]))).toMatchObject({ caption: 'Figure 1: Sales by year.' });
    expect(chart!.text).toContain('y: 30, 20, 10, 0');
    expect(md).toMatch(/!\[Figure 1: Sales by year\.\]\(assets\/[^)]+\.png\)/);
  });

  it('a scanned table comes back as a table: ocr routes the table region it finds to the table stage with its lines', async () => {
    const scan = await tableImage([
      ['Name', 'Value', 'Unit'],
      ['alpha', '10', 'metre'],
      ['beta', '25', 'second'],
    ]);
    const docId = await client.submit(scan, { fileName: 'scanned-table.png' });
    const job = await client.wait(docId, { timeoutMs: 120_000 });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const md = new TextDecoder().decode(await client.result(docId, 'md'));
    expect(md).toContain('Results of the trial');
    expect(md).toMatch(/\| Name \| Value \| Unit \|\n\| --- \| --- \| --- \|\n\| alpha \| 10 \| metre \|\n\| beta \| 25 \| second \|/);
    const json = ParsedDocumentSchema.parse(JSON.parse(new TextDecoder().decode(await client.result(docId, 'json'))));
    expect(json.pages[0]!.blocks.map((b) => [b.type, b.source])).toEqual([
      ['text', 'ocr'],
      ['table', 'ocr'],
    ]);
  }, 180_000);

  it('with table and chart turned off by flag, the same document completes through the fallbacks: table text, figure image', async () => {
    await control.setFeature('table', false);
    await control.setFeature('chart', false);
    try {
      const result = await parse([RULED, spannedTablePage(), chartPage()], 'features-off.pdf');
      expect(result.blocks.map((b) => b.type)).not.toContain('table');
      expect(result.blocks.filter((b) => b.type === 'figure')).toHaveLength(1);
      expect(result.md).not.toContain('<table>');
      for (const word of ['alpha', '2.5', 'Region', 'North', '2019']) expect(result.md).toContain(word);
      expect(result.md).toMatch(/!\[figure\]\(assets\/[^)]+\.png\)/);
    } finally {
      await control.setFeature('table', true);
      await control.setFeature('chart', true);
    }
  }, 240_000);

  it('with only the table stage paused its documents wait, with the lag in consumer info, while others complete; after resume they complete', async () => {
    await control.setPaused('table', true);
    const table = pipeline.runtimes.get('table')!;
    let waiting: string;
    try {
      await until(async () => table.state, (s) => s === 'paused');
      // an open long poll of the table consumer ends within idlePollMs of the pause: wait for it to be gone
      await until(() => bus.jsm.consumers.info(Streams.work, consumerName('table', 'normal')), (i) => i.num_waiting === 0);
      waiting = await client.submit(buildPdf([RULED]), { fileName: 'waits.pdf' });
      const other = await client.submit(buildPdf([textPage(1)]), { fileName: 'passes.pdf' });
      expect((await client.wait(other, { timeoutMs: 60_000 })).status).toBe('completed');
      const info = await until(
        () => bus.jsm.consumers.info(Streams.work, consumerName('table', 'normal')),
        (i) => i.num_pending >= 1,
      );
      expect(info.num_pending).toBeGreaterThanOrEqual(1);
      expect((await client.status(waiting)).status).toBe('running');
    } finally {
      await control.setPaused('table', false);
    }
    expect((await client.wait(waiting, { timeoutMs: 60_000 })).status).toBe('completed');
    expect(new TextDecoder().decode(await client.result(waiting, 'md'))).toContain('| alpha | 1.0 | m |');
  }, 240_000);
});
