import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Buckets, JobKeys, type Block } from '@paperline/contracts';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { JobStore } from '@paperline/jobs';
import { startTestServer, type TestServer } from '@paperline/testing';
import { PageProgress } from './page-progress.js';

const options = { priority: 'normal' as const, features: {}, outputFormats: ['md' as const, 'json' as const] };
const blocks = (text: string): Block[] => [{ id: text, type: 'text', bbox: [0, 0, 1, 1], text, confidence: 1, source: 'ocr', order: 0 }];

describe('PageProgress', () => {
  let server: TestServer;
  let bus: Bus;
  let jobs: JobStore;
  let pages: PageProgress;
  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(async () => {
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    jobs = await JobStore.open(bus);
    pages = await PageProgress.open(bus, jobs);
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  it('completes a page exactly once when 20 regions and their redeliveries race, in any order', async () => {
    await jobs.create({ docId: 'race-00001', fileName: 'a.pdf', options });
    await jobs.setPageCount('race-00001', 1);
    const regions = Array.from({ length: 20 }, (_, i) => `r${i}`);
    const results = await Promise.all([
      ...regions.map((r) => pages.recordPage('race-00001', 1, { regions: [{ regionId: r, blocks: blocks(r), routedOn: [] }] })),
      pages.recordPage('race-00001', 1, { layout: { size: { width: 100, height: 100, pageCount: 1 }, blocks: blocks('inline'), expected: regions }, regions: [] }),
      ...regions.slice(0, 5).map((r) => pages.recordPage('race-00001', 1, { regions: [{ regionId: r, blocks: blocks(r), routedOn: [] }] })),
    ]);
    expect(results.some((r) => r.documentComplete)).toBe(true);
    const [record] = await pages.pageRecords('race-00001', [1]);
    expect(new Set(record?.received)).toEqual(new Set(regions));
    expect(record?.received).toHaveLength(20);
    const all = await pages.pageBlocks('race-00001', record!);
    expect(all.map((b) => b.text).sort()).toEqual(['inline', ...regions].sort());
    expect((await jobs.get('race-00001'))?.pagesDone).toEqual([1]);
  });

  it('records a layout and region results that arrive together, with their redeliveries, in one update of the page record', async () => {
    await jobs.create({ docId: 'batch-00001', fileName: 'a.pdf', options });
    await jobs.setPageCount('batch-00001', 1);
    // a table region the ocr stage routed on arrives before the layout; the page waits for it too
    await pages.recordPage('batch-00001', 1, { regions: [{ regionId: 'r1', blocks: blocks('r1'), routedOn: ['t1'] }] });
    const pageWrites: string[] = [];
    bus.nc.subscribe(`$KV.${Buckets.jobs}.${JobKeys.page('batch-00001', 1)}`, { callback: (_error, msg) => void pageWrites.push(msg.string()) });
    await bus.nc.flush();
    const progress = await pages.recordPage('batch-00001', 1, {
      layout: { size: { width: 10, height: 20, pageCount: 1 }, blocks: blocks('inline'), expected: ['r1', 'r2', 't1'] },
      regions: [
        { regionId: 'r2', blocks: blocks('r2'), routedOn: [] },
        { regionId: 'r1', blocks: blocks('r1'), routedOn: ['t1'] },
        { regionId: 'r2', blocks: blocks('r2'), routedOn: [] },
      ],
    });
    expect(progress).toMatchObject({ pageComplete: false, documentComplete: false });
    await bus.nc.flush();
    expect(pageWrites.map((record) => JSON.parse(record) as unknown)).toMatchObject([{ width: 10, height: 20, layoutSeen: true, expected: ['r1', 'r2', 't1'], received: ['r1', 'r2'] }]);
    expect((await pages.pageBlocks('batch-00001', (await pages.pageRecords('batch-00001', [1]))[0]!)).map((b) => b.text)).toEqual(['inline', 'r1', 'r2']);
    expect(await pages.recordPage('batch-00001', 1, { regions: [{ regionId: 't1', blocks: blocks('t1'), routedOn: [] }] })).toMatchObject({ pageComplete: true, documentComplete: true });
  });

  it('takes the page count from the layout when render has not set it, and a failed document stays failed', async () => {
    await jobs.create({ docId: 'late-00001', fileName: 'a.pdf', options });
    const progress = await pages.recordPage('late-00001', 1, { layout: { size: { width: 1, height: 1, pageCount: 1 }, blocks: blocks('x'), expected: [] }, regions: [] });
    expect(progress).toMatchObject({ pageComplete: true, documentComplete: true, job: { pageCount: 1, pagesDone: [1] } });

    await jobs.create({ docId: 'fail-00001', fileName: 'a.pdf', options });
    await jobs.fail('fail-00001', { stage: 'render', code: 'ENCRYPTED_PDF', reason: 'encrypted' });
    expect(await pages.recordPage('fail-00001', 1, { layout: { size: { width: 1, height: 1, pageCount: 1 }, blocks: [], expected: [] }, regions: [] })).toMatchObject({ documentComplete: false });
    expect((await jobs.get('fail-00001'))?.status).toBe('failed');
  });

  it('purges the working state and leaves the document record and other documents\' state', async () => {
    await jobs.create({ docId: 'done-00001', fileName: 'a.pdf', options });
    await jobs.setPageCount('done-00001', 1);
    await pages.recordPage('done-00001', 1, { layout: { size: { width: 1, height: 1, pageCount: 1 }, blocks: blocks('x'), expected: ['r1'] }, regions: [] });
    await pages.recordPage('done-00001', 1, { regions: [{ regionId: 'r1', blocks: blocks('y'), routedOn: [] }] });
    // another document's working state, whose docId the first one's is a prefix of
    await jobs.create({ docId: 'done-000011', fileName: 'b.pdf', options });
    await pages.recordPage('done-000011', 1, { layout: { size: { width: 1, height: 1, pageCount: 2 }, blocks: blocks('z'), expected: ['r1'] }, regions: [] });
    await pages.purge('done-00001');
    expect(await pages.pageRecords('done-00001', [1])).toEqual([]);
    // no key of the document is left, not even a purge marker
    const kv = await bus.kv(Buckets.jobs);
    for (const keys of [JobKeys.pagesOfDoc('done-00001'), JobKeys.regionsOfDoc('done-00001')]) {
      const left: string[] = [];
      for await (const key of await kv.keys(keys)) left.push(key);
      expect(left).toEqual([]);
    }
    expect(await pages.pageRecords('done-000011', [1])).toMatchObject([{ page: 1, expected: ['r1'] }]);
    expect(await pages.pageBlocks('done-00001', { v: 1, docId: 'done-00001', page: 1, width: 1, height: 1, layoutSeen: true, expected: ['r1'], received: ['r1'] })).toEqual([]);
    expect((await jobs.get('done-00001'))?.pagesDone).toEqual([1]);
  });
});
