import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ObjectNames, ObjectStores, SCHEMA_VERSION, type AssembleMessage, type Block } from '@paperline/contracts';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { JobStore } from '@paperline/jobs';
import type { BatchContext, StageMessage } from '@paperline/stage';
import { silentLogger } from '@paperline/telemetry';
import { startTestServer, type TestServer } from '@paperline/testing';
import { createAssembleHandler } from './handler.js';
import { PageProgress } from './page-progress.js';

const options = { priority: 'normal' as const, features: {}, outputFormats: ['md' as const, 'json' as const] };
const block = (text: string, order = 0): Block => ({ id: `b-${text}`, type: 'text', bbox: [0, 0, 10, 10], text, confidence: 1, source: 'text-layer', order });

function layout(docId: string, page: number, pageCount: number, text: string, pending: string[] = []): AssembleMessage {
  return {
    v: SCHEMA_VERSION,
    type: 'layout',
    docId,
    page,
    pageCount,
    width: 100,
    height: 100,
    blocks: [block(text)],
    pendingRegions: pending.map((regionId) => ({ regionId, stage: 'formula' as const })),
    options,
  };
}

function region(docId: string, page: number, regionId: string, text: string): AssembleMessage {
  return { v: SCHEMA_VERSION, type: 'region', docId, page, regionId, stage: 'formula', blocks: [block(text, 1)] };
}

function asMessages(batch: AssembleMessage[]): StageMessage<AssembleMessage>[] {
  return batch.map((data, i) => ({ data, subject: 'pl.work.assemble.normal', priority: 'normal', streamSequence: i + 1, deliveryCount: 1, headers: {}, docId: data.docId, log: silentLogger() }));
}

describe('assemble handler', () => {
  let server: TestServer;
  let bus: Bus;
  let jobs: JobStore;
  let handler: ReturnType<typeof createAssembleHandler>;
  let progress: PageProgress;
  let ctx: BatchContext;
  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(async () => {
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    jobs = await JobStore.open(bus);
    progress = await PageProgress.open(bus, jobs);
    handler = createAssembleHandler({ bus, jobs, pages: progress });
    ctx = { stage: 'assemble', instance: 'test', bus, log: silentLogger(), signal: new AbortController().signal, publish: async () => undefined };
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  it('completes the documents of one batch side by side, a page\'s results recorded together and a redelivery among them once', async () => {
    for (const docId of ['batch-a0001', 'batch-b0001']) {
      await jobs.create({ docId, fileName: `${docId}.pdf`, options });
      await jobs.setPageCount(docId, 2);
    }
    const batch = [
      layout('batch-a0001', 1, 2, 'a one', ['r1']),
      layout('batch-b0001', 2, 2, 'b two'),
      region('batch-a0001', 1, 'r1', 'a formula'),
      layout('batch-b0001', 1, 2, 'b one'),
      layout('batch-a0001', 2, 2, 'a two'),
      // a redelivery in the same batch: the region's first result stands
      region('batch-a0001', 1, 'r1', 'a formula again'),
    ];
    const outcomes = await handler.handleBatch(asMessages(batch), ctx);
    expect(outcomes).toEqual(batch.map(() => ({ outputs: [] })));
    for (const [docId, text] of [
      ['batch-a0001', 'a one\n\na formula\n\na two'],
      ['batch-b0001', 'b one\n\nb two'],
    ] as const) {
      const job = await jobs.get(docId);
      expect(job).toMatchObject({ status: 'completed', pagesDone: [1, 2] });
      const markdown = new TextDecoder().decode(await bus.getObject(ObjectStores.outputs, ObjectNames.output(docId, 'md')));
      // the text without the page markers
      expect(markdown.replace(/<!-- page \d+ -->\n\n/g, '').trim()).toBe(text);
      // the working keys are purged
      expect(await progress.pageRecords(docId, [1, 2])).toEqual([]);
    }
  });

  it('drops the results of a document already finished when the batch began', async () => {
    await jobs.create({ docId: 'failed-00001', fileName: 'f.pdf', options });
    await jobs.fail('failed-00001', { stage: 'render', code: 'CORRUPT_PDF', reason: 'corrupt' });
    const outcomes = await handler.handleBatch(asMessages([layout('failed-00001', 1, 1, 'x')]), ctx);
    expect(outcomes).toEqual([{ outputs: [] }]);
    expect(await jobs.get('failed-00001')).toMatchObject({ status: 'failed', pagesDone: [] });
  });
});
