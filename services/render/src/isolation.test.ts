// Render's process isolation, with real crashes: the test kills the render process by its PID
// (SIGSEGV, SIGKILL as the kernel's OOM killer sends it) while it renders a document, and the
// stage process (this one) lives on, the attempt fails with RENDER_CRASHED, the redelivery
// finishes the document, and a document rendered beside it is not touched.
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { DeadLetterSchema, DocOptionsSchema, DocSubmitSchema, MsgIds, ObjectNames, ObjectStores, PageTaskSchema, SCHEMA_VERSION, Streams, Subjects, decode, encode } from '@paperline/contracts';
import { StageRuntime } from '@paperline/stage';
import { createLogger } from '@paperline/telemetry';
import { buildPdf, collectMessages, pollUntil, startTestServer, textPage, type TestServer } from '@paperline/testing';
import { createRenderHandler, type RenderSettings } from './handler.js';

/** Pages of the document killed under render: each is painted (alwaysRaster), seconds in all, so the kill lands mid-document. */
const PAGES = 40;
const MAX_DELIVER = 3;

interface LogLine {
  msg: string;
  docId?: string;
  code?: string;
  reason?: string;
  deliveryCount?: number;
}

interface RenderProcessStatus {
  pid: number;
  rendering: string | null;
}

describe('render processes', () => {
  let server: TestServer;
  let bus: Bus;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());
  afterEach(async () => server.reset());

  async function start(settings: Partial<RenderSettings> = {}) {
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology({ maxDeliver: MAX_DELIVER }));
    const logs: LogLine[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    // one slice per document, every page painted: a document takes long enough to be killed under
    const handler = createRenderHandler({ settings: { isolation: 'process', alwaysRaster: true, slicePages: 1000, ...settings } });
    const runtime = new StageRuntime(
      handler,
      { stage: 'render', health: false, controlWatch: false, batchSize: 1, maxInflightBatches: 2, backoff: { initialMs: 50, maxMs: 200, factor: 2, jitter: 0 } },
      { bus, log: createLogger({ level: 'warn', destination }) },
    );
    server.defer(() => runtime.close());
    await runtime.start();
    const processes = () => (handler.status!()['renderProcesses'] as RenderProcessStatus[] | undefined) ?? [];
    return { logs, processes };
  }

  async function submit(docId: string, pages: number, priority: 'normal' | 'high' = 'normal') {
    const bytes = buildPdf(Array.from({ length: pages }, (_, i) => textPage(i + 1)));
    const object = ObjectNames.document(docId);
    await bus.putObject(ObjectStores.documents, object, bytes);
    const options = DocOptionsSchema.parse({ priority });
    const message = { v: SCHEMA_VERSION, docId, object, fileName: `${docId}.pdf`, mediaType: 'application/pdf', bytes: bytes.length, options, submittedAt: new Date().toISOString() };
    await bus.publish(Subjects.submitOf(options.priority), encode(DocSubmitSchema, message), { msgId: MsgIds.submit(docId) });
  }

  /** The page tasks render published, per document: each page once (a redelivery's repeats are dropped by their message ids). */
  async function publishedPages(count: number, priority: 'normal' | 'high' = 'normal'): Promise<Record<string, number[]>> {
    const tasks = await collectMessages(bus.js, Streams.work, `layout-${priority}`, count, (data) => decode(PageTaskSchema, data), 120_000);
    const byDoc: Record<string, number[]> = {};
    for (const task of tasks) (byDoc[task.docId] ??= []).push(task.page);
    for (const pages of Object.values(byDoc)) pages.sort((a, b) => a - b);
    return byDoc;
  }

  const allPages = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('a render process killed with SIGSEGV mid-document costs that attempt only: the stage lives, the redelivery completes it, the document beside it is untouched', async () => {
    const { logs, processes } = await start();
    await submit('doc-crash', PAGES);
    await submit('doc-beside', PAGES);
    // both render at once (two slices in flight), each in a process of its own
    const victim = await pollUntil('both documents rendering in two processes', () => {
      const busy = processes().filter((p) => p.rendering !== null);
      return busy.length === 2 && new Set(busy.map((p) => p.pid)).size === 2 && busy.find((p) => p.rendering === 'doc-crash');
    });
    process.kill(victim.pid, 'SIGSEGV');

    const crash = await pollUntil('the crashed attempt retried', () => logs.find((line) => line.msg === 'retrying later'));
    expect(crash, JSON.stringify(crash)).toMatchObject({ docId: 'doc-crash', code: 'RENDER_CRASHED', deliveryCount: 1 });
    const pages = await publishedPages(2 * PAGES);
    expect(pages).toEqual({ 'doc-crash': allPages(PAGES), 'doc-beside': allPages(PAGES) });
    // the crash touched doc-crash's attempt alone, and nothing went to the dead letters
    expect(logs.filter((line) => line.msg === 'retrying later').map((line) => line.docId)).toEqual(['doc-crash']);
    expect((await bus.jsm.streams.info(Streams.dlq)).state.messages).toBe(0);
    // a new process took the redelivery; the stage (this process) never went down
    const now = processes().map((p) => p.pid);
    expect(now).not.toContain(victim.pid);
    expect(now.length).toBeGreaterThan(0);
  }, 180_000);

  it('a render process that stops answering (SIGSTOP) is killed after renderTimeoutMs, and the redelivery completes the document', async () => {
    const timeoutMs = 5_000;
    const { logs, processes } = await start({ renderTimeoutMs: timeoutMs });
    await submit('doc-hung', PAGES);
    const stopped = await pollUntil('doc-hung rendering', () => processes().find((p) => p.rendering === 'doc-hung'));
    // a stopped process is alive and silent, as a hung engine is
    process.kill(stopped.pid, 'SIGSTOP');
    const retry = await pollUntil('the hung attempt retried', () => logs.find((line) => line.msg === 'retrying later'), { timeoutMs: 60_000 });
    expect(retry, JSON.stringify(retry)).toMatchObject({ docId: 'doc-hung', code: 'RENDER_CRASHED' });
    expect(retry.reason).toMatch(new RegExp(`ended with signal SIGKILL, killed after no answer to (open|page) within ${timeoutMs} ms while rendering doc-hung`));
    expect(await publishedPages(PAGES)).toEqual({ 'doc-hung': allPages(PAGES) });
  }, 180_000);

  it(`a document that kills its render process on every delivery is dead-lettered after ${MAX_DELIVER} deliveries, and the stage keeps rendering`, async () => {
    const { processes } = await start();
    await submit('doc-poison', PAGES);
    const killed = new Set<number>();
    // the kernel's OOM killer sends SIGKILL: kill whichever process renders the document, each delivery
    await pollUntil(
      `${MAX_DELIVER} render processes killed on doc-poison`,
      () => {
        for (const p of processes()) {
          if (p.rendering !== 'doc-poison' || killed.has(p.pid)) continue;
          process.kill(p.pid, 'SIGKILL');
          killed.add(p.pid);
        }
        return killed.size >= MAX_DELIVER;
      },
      { timeoutMs: 120_000, intervalMs: 20 },
    );
    const [letter] = await collectMessages(bus.js, Streams.dlq, undefined, 1, (data) => decode(DeadLetterSchema, data), 60_000);
    expect(letter).toMatchObject({ docId: 'doc-poison', code: 'MAX_DELIVERIES', deliveryCount: MAX_DELIVER });
    expect(letter!.reason).toMatch(/the render process died while rendering the document: process \d+ ended with signal SIGKILL while rendering doc-poison/);
    // high: its pages queue apart from those doc-poison published before each kill
    await submit('doc-after', 2, 'high');
    expect(await publishedPages(2, 'high')).toEqual({ 'doc-after': [1, 2] });
  }, 180_000);

  it('a render process idle for renderProcessIdleMs ends, and the next document starts another', async () => {
    const { processes } = await start({ renderProcessIdleMs: 300 });
    // every render process there was (the one started ahead, the one that rendered)
    const seen = new Set<number>();
    const sample = () => processes().forEach((p) => seen.add(p.pid));
    sample();
    const sampler = setInterval(sample, 10);
    await submit('doc-before', 3);
    expect(await publishedPages(3)).toEqual({ 'doc-before': [1, 2, 3] });
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await pollUntil('no render process left, and their pids gone', () => processes().length === 0 && [...seen].every((pid) => !alive(pid)), { timeoutMs: 30_000, intervalMs: 50 });
    clearInterval(sampler);
    expect(seen.size).toBeGreaterThan(0);
    await submit('doc-later', 2);
    expect(await publishedPages(2)).toEqual({ 'doc-later': [1, 2] });
  }, 120_000);
});
