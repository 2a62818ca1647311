import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Streams, type Block } from '@paperline/contracts';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { startTestServer, type TestServer } from '@paperline/testing';
import { JobStore } from './index.js';

const options = { priority: 'normal' as const, features: {}, outputFormats: ['md' as const, 'json' as const] };
const blocks = (text: string): Block[] => [{ id: text, type: 'text', bbox: [0, 0, 1, 1], text, confidence: 1, source: 'ocr', order: 0 }];

describe('JobStore', () => {
  let server: TestServer;
  let bus: Bus;
  let jobs: JobStore;
  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(async () => {
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    jobs = await JobStore.open(bus);
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  it('refuses a second job with the same id', async () => {
    await jobs.create({ docId: 'dup-000001', fileName: 'a.pdf', options });
    await expect(jobs.create({ docId: 'dup-000001', fileName: 'a.pdf', options })).rejects.toThrow();
  });

  it('completes a page exactly once when 20 regions and their redeliveries race, in any order', async () => {
    await jobs.create({ docId: 'race-00001', fileName: 'a.pdf', options });
    await jobs.setPageCount('race-00001', 1);
    const regions = Array.from({ length: 20 }, (_, i) => `r${i}`);
    const results = await Promise.all([
      ...regions.map((r) => jobs.recordRegion('race-00001', 1, r, blocks(r))),
      jobs.recordLayout('race-00001', 1, { width: 100, height: 100, pageCount: 1 }, blocks('inline'), regions),
      ...regions.slice(0, 5).map((r) => jobs.recordRegion('race-00001', 1, r, blocks(r))),
    ]);
    expect(results.some((r) => r.documentComplete)).toBe(true);
    const [record] = await jobs.pageRecords('race-00001');
    expect(new Set(record?.received)).toEqual(new Set(regions));
    expect(record?.received).toHaveLength(20);
    const all = await jobs.pageBlocks('race-00001', record!);
    expect(all.map((b) => b.text).sort()).toEqual(['inline', ...regions].sort());
    const job = await jobs.get('race-00001');
    expect(job?.pagesDone).toEqual([1]);
  });

  it('fails a document once, keeps the first reason, and publishes one failed event', async () => {
    await jobs.create({ docId: 'fail-00001', fileName: 'a.pdf', options });
    expect(await jobs.fail('fail-00001', { stage: 'render', code: 'ENCRYPTED_PDF', reason: 'encrypted' })).toBe(true);
    expect(await jobs.fail('fail-00001', { stage: 'ocr', code: 'INTERNAL', reason: 'late' })).toBe(false);
    const job = await jobs.get('fail-00001');
    expect(job?.status).toBe('failed');
    expect(job?.error).toEqual({ stage: 'render', code: 'ENCRYPTED_PDF', reason: 'encrypted' });
    const info = await bus.jsm.streams.info(Streams.events);
    expect(info.state.subjects ?? {}).toBeDefined();
    const failed = await bus.jsm.streams.getMessage(Streams.events, { last_by_subj: 'pl.events.doc.failed' });
    expect(failed?.json<{ docId: string; code: string }>()).toMatchObject({ docId: 'fail-00001', code: 'ENCRYPTED_PDF' });
    // a result after the failure does not revive the document
    await jobs.recordLayout('fail-00001', 1, { width: 1, height: 1, pageCount: 1 }, [], []);
    expect((await jobs.get('fail-00001'))?.status).toBe('failed');
  });

  it('completes once and publishes the completed event', async () => {
    await jobs.create({ docId: 'done-00001', fileName: 'a.pdf', options });
    await jobs.setPageCount('done-00001', 1);
    const progress = await jobs.recordLayout('done-00001', 1, { width: 1, height: 1, pageCount: 1 }, blocks('x'), []);
    expect(progress.documentComplete).toBe(true);
    expect(await jobs.complete('done-00001', { md: 'done-00001/document.md' })).toBeDefined();
    expect(await jobs.complete('done-00001', { md: 'done-00001/document.md' })).toBeUndefined();
    await jobs.purgeWorkingState('done-00001');
    expect(await jobs.pageRecords('done-00001')).toEqual([]);
    expect((await jobs.get('done-00001'))?.status).toBe('completed');
  });
});
