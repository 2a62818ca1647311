import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import {
  DeadLetterSchema,
  DocOptionsSchema,
  DocSubmitSchema,
  MsgIds,
  ObjectNames,
  ObjectStores,
  PageTaskSchema,
  PageTextLayerSchema,
  SCHEMA_VERSION,
  Streams,
  Subjects,
  decode,
  encode,
  type DocOptionsInput,
  type PageTask,
} from '@paperline/contracts';
import { StageRuntime } from '@paperline/stage';
import { buildPdf, encryptedPdf, collectMessages, pollUntil, startTestServer, textImage, textPage, type TestServer } from '@paperline/testing';
import { createRenderHandler, type RenderHandlerDeps, type RenderSettings } from './handler.js';
import { RENDER_ISOLATIONS } from './types.js';

describe.each(RENDER_ISOLATIONS)('render handler on a real nats-server, isolation %s', (isolation) => {
  let server: TestServer;
  let bus: Bus;
  const opened: Array<[string, number]> = [];
  let connected = false;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());
  afterEach(async () => {
    connected = false;
    await server.reset();
  });

  async function connect() {
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    connected = true;
  }

  async function start(settings: Partial<RenderSettings> = {}, progress?: RenderHandlerDeps['progress']) {
    if (!connected) await connect();
    opened.length = 0;
    const handler = createRenderHandler({
      settings: { isolation, ...settings },
      onDocumentOpened: async (docId, pageCount) => {
        opened.push([docId, pageCount]);
      },
      ...(progress ? { progress } : {}),
    });
    const runtime = new StageRuntime(handler, { stage: 'render', health: false, controlWatch: false }, { bus });
    server.defer(() => runtime.close());
    await runtime.start();
  }

  async function submit(docId: string, bytes: Uint8Array, mediaType: string, options: DocOptionsInput = {}) {
    const object = ObjectNames.document(docId);
    await bus.putObject(ObjectStores.documents, object, bytes);
    const message = {
      v: SCHEMA_VERSION,
      docId,
      object,
      fileName: `${docId}.bin`,
      mediaType,
      bytes: bytes.length,
      options: DocOptionsSchema.parse(options),
      submittedAt: new Date().toISOString(),
    };
    await bus.publish(Subjects.submitOf(message.options.priority), encode(DocSubmitSchema, message), { msgId: MsgIds.submit(docId) });
  }

  /** Every PageTask render published so far, as `docId:page`, in the order they were published within each priority. */
  async function layoutTasks(priority: 'high' | 'normal', count: number): Promise<string[]> {
    const tasks = await collectMessages(bus.js, Streams.work, `layout-${priority}`, count, (d) => decode(PageTaskSchema, d));
    return tasks.map((t) => `${t.docId}:${t.page}`);
  }

  const blankPdf = (pages: number) => buildPdf(Array.from({ length: pages }, () => ({})));

  it('publishes one PageTask per page with its text layer inline, and registers the page count first', async () => {
    await start();
    await submit('doc-three', buildPdf([textPage(1), textPage(2), textPage(3)]), 'application/pdf', { priority: 'high' });
    const tasks = await collectMessages(bus.js, Streams.work, 'layout-high', 3, (d) => decode(PageTaskSchema, d));
    expect(tasks.map((t) => [t.page, t.pageCount, t.raster, t.textLayer, t.textLayerInline?.runs[0]?.text])).toEqual([
      [1, 3, null, null, 'Heading of page 1'],
      [2, 3, null, null, 'Heading of page 2'],
      [3, 3, null, null, 'Heading of page 3'],
    ]);
    expect(opened).toEqual([['doc-three', 3]]);
    expect(await bus.objectSize(ObjectStores.pages, ObjectNames.pageText('doc-three', 1))).toBeUndefined();
  });

  it('stores a text layer over inlineTextLayerBytes in pl-pages instead', async () => {
    await start({ inlineTextLayerBytes: 100 });
    await submit('doc-big', buildPdf([textPage(1), textPage(2)]), 'application/pdf');
    const tasks = await collectMessages(bus.js, Streams.work, 'layout-normal', 2, (d) => decode(PageTaskSchema, d));
    expect(tasks.map((t) => [t.page, t.textLayer, t.textLayerInline])).toEqual([
      [1, 'doc-big/1.text.json', undefined],
      [2, 'doc-big/2.text.json', undefined],
    ]);
    const layer = decode(PageTextLayerSchema, await bus.getObject(ObjectStores.pages, tasks[1]!.textLayer!));
    expect(layer.runs[0]!.text).toBe('Heading of page 2');
  });

  it('honours the page range, and stores the raster of an image', async () => {
    await start();
    await submit('doc-range', buildPdf([textPage(1), textPage(2), textPage(3), textPage(4)]), 'application/pdf', { pageRange: { from: 2, to: 3 } });
    const tasks: PageTask[] = await collectMessages(bus.js, Streams.work, 'layout-normal', 2, (d) => decode(PageTaskSchema, d));
    expect(tasks.map((t) => [t.page, t.pageCount])).toEqual([
      [2, 2],
      [3, 2],
    ]);
    await submit('doc-image', await textImage(['scanned words']), 'image/png');
    const [image] = await collectMessages(bus.js, Streams.work, 'layout-normal', 1, (d) => decode(PageTaskSchema, d));
    expect(image).toMatchObject({ page: 1, textLayer: null, raster: 'doc-image/1.png', source: { kind: 'image' } });
    expect((await bus.getObject(ObjectStores.pages, image!.raster!)).length).toBeGreaterThan(100);
  });

  it('dead-letters bad input with its code and keeps working', async () => {
    await start({ limits: { maxPages: 2, maxPixels: 100_000_000, maxBytes: 10_000_000 } });
    await submit('doc-locked', encryptedPdf(), 'application/pdf');
    await submit('doc-long', buildPdf([textPage(1), textPage(2), textPage(3)]), 'application/pdf');
    await submit('doc-empty', new Uint8Array(0), 'application/pdf');
    await submit('doc-range-out', buildPdf([textPage(1)]), 'application/pdf', { pageRange: { from: 5, to: 6 } });
    const letters = await collectMessages(bus.js, Streams.dlq, undefined, 4, (d) => decode(DeadLetterSchema, d));
    expect(Object.fromEntries(letters.map((l) => [l.docId, l.code]))).toEqual({
      'doc-locked': 'ENCRYPTED_PDF',
      'doc-long': 'TOO_MANY_PAGES',
      'doc-empty': 'EMPTY_FILE',
      'doc-range-out': 'INVALID_PAGE_RANGE',
    });
    await submit('doc-fine', buildPdf([textPage(1)]), 'application/pdf');
    const [task] = await collectMessages(bus.js, Streams.work, 'layout-normal', 1, (d) => decode(PageTaskSchema, d));
    expect(task!.docId).toBe('doc-fine');
  });

  it('renders a long document in slices, and a document that queued meanwhile goes between them', async () => {
    await connect();
    // both are waiting when render starts: the long one first
    await submit('doc-long', buildPdf([1, 2, 3, 4, 5, 6, 7].map((n) => textPage(n))), 'application/pdf');
    await submit('doc-short', buildPdf([textPage(1)]), 'application/pdf');
    await start({ slicePages: 3 });
    expect(await layoutTasks('normal', 8)).toEqual([
      'doc-long:1',
      'doc-long:2',
      'doc-long:3',
      'doc-short:1',
      'doc-long:4',
      'doc-long:5',
      'doc-long:6',
      'doc-long:7',
    ]);
    // the page count is registered once, by the first slice
    expect(opened).toEqual([
      ['doc-long', 7],
      ['doc-short', 1],
    ]);
  });

  it('renders a high document before a normal one that came first, and before the rest of one already started', async () => {
    await connect();
    await submit('doc-normal', buildPdf([1, 2, 3, 4].map((n) => textPage(n))), 'application/pdf');
    await submit('doc-high', buildPdf([textPage(1), textPage(2)]), 'application/pdf', { priority: 'high' });
    await start({ slicePages: 2 });
    expect(await layoutTasks('high', 2)).toEqual(['doc-high:1', 'doc-high:2']);
    expect(await layoutTasks('normal', 4)).toEqual(['doc-normal:1', 'doc-normal:2', 'doc-normal:3', 'doc-normal:4']);
    expect(opened.map(([docId]) => docId)).toEqual(['doc-high', 'doc-normal']);
  });

  it('marks a page with nothing painted on it blank: no text layer, no raster', async () => {
    await start();
    await submit('doc-blank', buildPdf([{}, textPage(2), { lines: [{ x0: 72, y0: 400, x1: 540, y1: 400 }] }]), 'application/pdf');
    const tasks = await collectMessages(bus.js, Streams.work, 'layout-normal', 3, (d) => decode(PageTaskSchema, d));
    expect(tasks.map((t) => [t.page, t.blank, t.raster])).toEqual([
      [1, true, null],
      [2, undefined, null],
      [3, undefined, 'doc-blank/3.png'],
    ]);
    await submit('doc-white', await textImage([]), 'image/png');
    const [white] = await collectMessages(bus.js, Streams.work, 'layout-normal', 1, (d) => decode(PageTaskSchema, d));
    expect(white).toMatchObject({ docId: 'doc-white', blank: true, raster: null, textLayer: null });
  });

  it('applies a document\'s own page limit when it is lower than the deployment\'s, never a higher one', async () => {
    await start({ limits: { maxPages: 3, maxPixels: 100_000_000, maxBytes: 10_000_000 } });
    await submit('doc-key-limit', blankPdf(2), 'application/pdf', { limits: { maxPages: 1 } });
    await submit('doc-key-raise', blankPdf(4), 'application/pdf', { limits: { maxPages: 100 } });
    const letters = await collectMessages(bus.js, Streams.dlq, undefined, 2, (d) => decode(DeadLetterSchema, d));
    expect(letters.map((l) => [l.docId, l.code, l.reason])).toEqual([
      ['doc-key-limit', 'TOO_MANY_PAGES', 'the document has more pages than allowed: 2 pages, the limit is 1'],
      ['doc-key-raise', 'TOO_MANY_PAGES', 'the document has more pages than allowed: 4 pages, the limit is 3'],
    ]);
  });

  it('throttles a document over throttlePages to throttleBacklogPages ahead of its pages done downstream', async () => {
    let done = 0;
    let asked = 0;
    await start({ slicePages: 2, throttlePages: 4, throttleBacklogPages: 3, throttleWaitMs: 20 }, async () => {
      asked++;
      return { pagesDone: done, finished: false };
    });
    await submit('doc-throttled', blankPdf(8), 'application/pdf');
    expect(await layoutTasks('normal', 4)).toEqual(['doc-throttled:1', 'doc-throttled:2', 'doc-throttled:3', 'doc-throttled:4']);
    // 4 rendered, 0 done: its slices yield their turn until the backlog shrinks
    await pollUntil('ten pages-done reads', () => asked >= 10, { timeoutMs: 20_000, intervalMs: 20 });
    expect((await bus.jsm.consumers.info(Streams.work, 'layout-normal')).num_pending).toBe(0);
    done = 4;
    expect(await layoutTasks('normal', 4)).toEqual(['doc-throttled:5', 'doc-throttled:6', 'doc-throttled:7', 'doc-throttled:8']);
  });

  it('a throttled document yields while a high document it rendered is still on its way downstream', async () => {
    let highFinished = false;
    let highAsked = 0;
    await start({ slicePages: 2, throttlePages: 4, throttleBacklogPages: 100, throttleWaitMs: 20 }, async (docId) => {
      if (docId !== 'doc-urgent') return { pagesDone: 0, finished: false };
      highAsked++;
      return { pagesDone: 0, finished: highFinished };
    });
    await submit('doc-urgent', blankPdf(1), 'application/pdf', { priority: 'high' });
    expect(await layoutTasks('high', 1)).toEqual(['doc-urgent:1']);
    await submit('doc-long', blankPdf(8), 'application/pdf');
    // its first slice goes ahead (nothing is throttled before it is known to be long), the rest waits
    expect(await layoutTasks('normal', 2)).toEqual(['doc-long:1', 'doc-long:2']);
    await pollUntil('ten reads of the high document', () => highAsked >= 10, { timeoutMs: 20_000, intervalMs: 20 });
    expect((await bus.jsm.consumers.info(Streams.work, 'layout-normal')).num_pending).toBe(0);
    highFinished = true;
    expect(await layoutTasks('normal', 6)).toEqual(['doc-long:3', 'doc-long:4', 'doc-long:5', 'doc-long:6', 'doc-long:7', 'doc-long:8']);
  });
});
