import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { JobStore } from '@paperline/jobs';
import type { BatchContext, Output, StageHandler, StageMessage } from '@paperline/stage';
import { silentLogger } from '@paperline/telemetry';
import { startTestServer, type TestServer } from '@paperline/testing';
import { dropCancelledDocuments } from './index.js';

const options = { priority: 'normal' as const, features: {}, outputFormats: ['md' as const] };

interface Work {
  docId: string;
  page: number;
}

const output = (work: Work): Output => ({ subject: 'pl.work.assemble.normal', msgId: `${work.docId}:layout:${work.page}`, data: new Uint8Array() });

function messages(work: Work[]): StageMessage<Work>[] {
  return work.map((data, i) => ({ data, subject: 'pl.work.layout.normal', priority: 'normal', streamSequence: i + 1, deliveryCount: 1, headers: {}, docId: data.docId, log: silentLogger() }));
}

describe('dropCancelledDocuments', () => {
  let server: TestServer;
  let bus: Bus;
  let jobs: JobStore;
  let published: Output[];
  let ctx: BatchContext;
  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(async () => {
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    jobs = await JobStore.open(bus);
    published = [];
    ctx = { stage: 'layout', instance: 'test', bus, log: silentLogger(), signal: new AbortController().signal, publish: async (o) => void published.push(o) };
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  it("keeps a live document's outputs and drops those of one cancelled while its batch ran, its pages checked together", async () => {
    for (const docId of ['live-000001', 'gone-000001']) await jobs.create({ docId, fileName: 'a.pdf', options });
    const handler: StageHandler<Work> = {
      stage: 'layout',
      decode: () => {
        throw new Error('not used');
      },
      async handleBatch(batch, batchCtx) {
        // cancelled while the batch is under way: what it publishes from now on, and returns, is dropped
        await jobs.cancel('gone-000001');
        for (const message of batch) await batchCtx.publish(output(message.data));
        return batch.map((message) => ({ outputs: [output(message.data)] }));
      },
    };
    const work = [1, 2, 3, 4].flatMap((page) => [
      { docId: 'live-000001', page },
      { docId: 'gone-000001', page },
    ]);
    const outcomes = await dropCancelledDocuments(handler, jobs).handleBatch(messages(work), ctx);
    expect(outcomes).toEqual(work.map((w) => ({ outputs: w.docId === 'live-000001' ? [output(w)] : [] })));
    expect(published.map((o) => o.msgId)).toEqual([1, 2, 3, 4].map((page) => `live-000001:layout:${page}`));
  });

  it("acks a cancelled document's messages without handing them to the stage", async () => {
    await jobs.create({ docId: 'gone-000002', fileName: 'a.pdf', options });
    await jobs.cancel('gone-000002');
    const seen: Work[] = [];
    const handler: StageHandler<Work> = {
      stage: 'layout',
      decode: () => {
        throw new Error('not used');
      },
      handleBatch: async (batch) => {
        seen.push(...batch.map((m) => m.data));
        return batch.map(() => ({ outputs: [] }));
      },
    };
    const outcomes = await dropCancelledDocuments(handler, jobs).handleBatch(messages([{ docId: 'gone-000002', page: 1 }]), ctx);
    expect(outcomes).toEqual([{ outputs: [] }]);
    expect(seen).toEqual([]);
  });
});
