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
import { buildPdf, encryptedPdf, collectMessages, startTestServer, textImage, textPage, type TestServer } from '@paperline/testing';
import { createRenderHandler } from './handler.js';

describe('render handler on a real nats-server', () => {
  let server: TestServer;
  let bus: Bus;
  const opened: Array<[string, number]> = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());
  afterEach(async () => server.reset());

  async function start(settings = {}) {
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    opened.length = 0;
    const handler = createRenderHandler({
      settings,
      onDocumentOpened: async (docId, pageCount) => {
        opened.push([docId, pageCount]);
      },
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
    await bus.publish(Subjects.submit, encode(DocSubmitSchema, message), { msgId: MsgIds.submit(docId) });
  }

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
});
