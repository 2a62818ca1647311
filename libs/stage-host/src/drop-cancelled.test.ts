import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { JobStore } from '@paperline/jobs';
import type { BatchContext, Output, StageHandler, StageMessage } from '@paperline/stage';
import { silentLogger } from '@paperline/telemetry';
import { pollUntil, startTestServer, updateJobRecord, type TestServer } from '@paperline/testing';
import { dropCancelledDocuments, type CancelAwareHandler } from './index.js';

const options = { priority: 'normal' as const, features: {}, outputFormats: ['md' as const] };

interface Work {
  docId: string;
  page: number;
}

const output = (work: Work): Output => ({ subject: 'pl.work.assemble.normal', msgId: `${work.docId}:layout:${work.page}`, data: new Uint8Array() });

function messages(work: Work[]): StageMessage<Work>[] {
  return work.map((data, i) => ({ data, subject: 'pl.work.layout.normal', priority: 'normal', streamSequence: i + 1, deliveryCount: 1, headers: {}, docId: data.docId, log: silentLogger() }));
}

/** A stage that hands back one output per message and counts what it was handed. */
function countingStage(): { handler: StageHandler<Work>; handed: Work[] } {
  const handed: Work[] = [];
  const handler: StageHandler<Work> = {
    stage: 'layout',
    decode: () => {
      throw new Error('not used');
    },
    async handleBatch(batch, batchCtx) {
      handed.push(...batch.map((m) => m.data));
      for (const message of batch) await batchCtx.publish(output(message.data));
      return batch.map((message) => ({ outputs: [output(message.data)] }));
    },
  };
  return { handler, handed };
}

// a window far longer than any test: within it only the cancellation event can tell a live document cancelled
const NO_RECHECK = { recheckMs: 600_000 };

describe('dropCancelledDocuments', () => {
  let server: TestServer;
  let guards: CancelAwareHandler<Work>[];
  const guard = (handler: StageHandler<Work>, recheckMs: number) => {
    const guarded = dropCancelledDocuments(handler, jobs, { recheckMs });
    guards.push(guarded);
    return guarded.handler;
  };
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
    guards = [];
    ctx = { stage: 'layout', instance: 'test', bus, log: silentLogger(), signal: new AbortController().signal, publish: async (o) => void published.push(o) };
  });
  afterEach(async () => {
    for (const guarded of guards) guarded.stop();
    await server.reset();
  });
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
    const outcomes = await guard(handler, NO_RECHECK.recheckMs).handleBatch(messages(work), ctx);
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
    const outcomes = await guard(handler, NO_RECHECK.recheckMs).handleBatch(messages([{ docId: 'gone-000002', page: 1 }]), ctx);
    expect(outcomes).toEqual([{ outputs: [] }]);
    expect(seen).toEqual([]);
  });

  it('drops a document cancelled through another connection once its event arrives, without reading it again', async () => {
    await jobs.create({ docId: 'away-000001', fileName: 'a.pdf', options });
    const other = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => other.close());
    const { handler, handed } = countingStage();
    const guarded = guard(handler, NO_RECHECK.recheckMs);
    expect(await guarded.handleBatch(messages([{ docId: 'away-000001', page: 1 }]), ctx)).toEqual([{ outputs: [output({ docId: 'away-000001', page: 1 })] }]);
    await (await JobStore.open(other)).cancel('away-000001');
    const get = vi.spyOn(jobs, 'get');
    let page = 2;
    await pollUntil('a batch of the cancelled document dropped', async () => {
      const before = handed.length;
      const outcomes = await guarded.handleBatch(messages([{ docId: 'away-000001', page: page++ }]), ctx);
      return handed.length === before && outcomes.every((o) => 'outputs' in o && o.outputs.length === 0);
    }, { timeoutMs: 20_000 });
    expect(get).not.toHaveBeenCalled();
  });

  it("reads a live document's record at most once per recheck window, however many batches and outputs it has", async () => {
    await jobs.create({ docId: 'busy-000001', fileName: 'a.pdf', options });
    const get = vi.spyOn(jobs, 'get');
    const { handler, handed } = countingStage();
    const guarded = guard(handler, NO_RECHECK.recheckMs);
    for (let first = 1; first <= 40; first += 8) {
      const work = Array.from({ length: 8 }, (_, i) => ({ docId: 'busy-000001', page: first + i }));
      expect(await guarded.handleBatch(messages(work), ctx)).toEqual(work.map((w) => ({ outputs: [output(w)] })));
    }
    expect(handed).toHaveLength(40);
    expect(published).toHaveLength(40);
    // once per batch, per output and per batch end, this was 5 * (1 + 8 + 1) = 50 reads
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('honours a cancel whose event it missed once the recheck window has passed', async () => {
    await jobs.create({ docId: 'miss-000001', fileName: 'a.pdf', options });
    const { handler, handed } = countingStage();
    const guarded = guard(handler, 200);
    await guarded.handleBatch(messages([{ docId: 'miss-000001', page: 1 }]), ctx);
    expect(handed).toHaveLength(1);
    // the record turns cancelled with no event published, as in a reconnect gap
    await updateJobRecord(bus, 'miss-000001', { status: 'cancelled', cancelledAt: new Date().toISOString() });
    let page = 2;
    await pollUntil('a batch of the cancelled document dropped', async () => {
      const before = handed.length;
      await guarded.handleBatch(messages([{ docId: 'miss-000001', page: page++ }]), ctx);
      return handed.length === before;
    }, { timeoutMs: 20_000 });
    // the answer is final: later batches are dropped too
    const before = handed.length;
    expect(await guarded.handleBatch(messages([{ docId: 'miss-000001', page: 100 }]), ctx)).toEqual([{ outputs: [] }]);
    expect(handed).toHaveLength(before);
  });
});
