import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Streams, Subjects } from '@paperline/contracts';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { startTestServer, type TestServer } from '@paperline/testing';
import { JobStore } from './index.js';

const options = { priority: 'normal' as const, features: {}, outputFormats: ['md' as const, 'json' as const] };

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
    // a page done after the failure does not revive the document
    expect(await jobs.markPageDone('fail-00001', 1, 1)).toMatchObject({ status: 'failed', pagesDone: [] });
  });

  it('marks a page done once, completes once and publishes the completed event', async () => {
    await jobs.create({ docId: 'done-00001', fileName: 'a.pdf', options });
    await jobs.setPageCount('done-00001', 2);
    expect(await jobs.markPageDone('done-00001', 2)).toMatchObject({ status: 'running', pagesDone: [2], pageCount: 2 });
    expect(await jobs.markPageDone('done-00001', 1)).toMatchObject({ pagesDone: [1, 2] });
    expect(await jobs.markPageDone('done-00001', 1)).toMatchObject({ pagesDone: [1, 2] });
    expect(await jobs.complete('done-00001', { md: 'done-00001/document.md' })).toBeDefined();
    expect(await jobs.complete('done-00001', { md: 'done-00001/document.md' })).toBeUndefined();
    expect((await jobs.get('done-00001'))?.status).toBe('completed');
    const completed = await bus.jsm.streams.getMessage(Streams.events, { last_by_subj: 'pl.events.doc.completed' });
    expect(completed?.json<{ docId: string; pageCount: number }>()).toMatchObject({ docId: 'done-00001', pageCount: 2 });
  });

  it('watches a record from its current value through its removal', async () => {
    await jobs.create({ docId: 'watch-0001', fileName: 'a.pdf', options });
    const watch = await jobs.watch('watch-0001');
    const seen: Array<string | undefined> = [];
    const reading = (async () => {
      for await (const job of watch) {
        seen.push(job?.status);
        if (!job) break;
        if (job.status === 'running') await jobs.remove('watch-0001');
      }
    })();
    await jobs.setPageCount('watch-0001', 1);
    await reading;
    watch.stop();
    expect(seen).toEqual(['queued', 'running', undefined]);
    expect(await jobs.get('watch-0001')).toBeUndefined();
  });

  it('tells a watcher of each cancel, skipping an invalid event, by the time cancel() returns', async () => {
    await jobs.create({ docId: 'stop-00001', fileName: 'a.pdf', options });
    const cancelled: string[] = [];
    const watch = jobs.watchCancellations((docId) => cancelled.push(docId));
    // published first on the same connection, so handled before the valid one below
    bus.nc.publish(Subjects.docCancelled, new TextEncoder().encode('{"type":"doc.cancelled","docId":"no version"}'));
    await jobs.cancel('stop-00001');
    expect(cancelled).toEqual(['stop-00001']);
    // a second cancel of a final document publishes nothing
    await jobs.cancel('stop-00001');
    watch.stop();
    expect(cancelled).toEqual(['stop-00001']);
  });
});
