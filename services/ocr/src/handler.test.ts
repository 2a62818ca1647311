import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import {
  DeadLetterSchema,
  DocOptionsSchema,
  MsgIds,
  ObjectStores,
  RegionResultSchema,
  RegionTaskSchema,
  SCHEMA_VERSION,
  Streams,
  Subjects,
  consumerName,
  decode,
  encode,
  type RegionTask,
} from '@paperline/contracts';
import { StageRuntime } from '@paperline/stage';
import { collectMessages, startTestServer, tableImage, textImage, type TestServer } from '@paperline/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OcrEngine } from './engine.js';
import { createOcrHandler } from './handler.js';
import { directModels } from './model-loader.js';

describe('ocr handler on a real nats-server', () => {
  let server: TestServer;
  let bus: Bus;
  const engine = new OcrEngine(directModels(), { lang: 'en' });

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await engine.release();
    await server?.stop();
  });
  afterEach(async () => server.reset());

  async function start() {
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    const runtime = new StageRuntime(createOcrHandler({ engine }), { stage: 'ocr', health: false, controlWatch: false, batchSize: 4 }, { bus });
    server.defer(() => runtime.close());
    await runtime.start();
  }

  function task(regionId: string, raster: string, mode: 'page' | 'region', bbox: RegionTask['bbox']): RegionTask {
    return {
      v: SCHEMA_VERSION,
      docId: 'doc-ocr-1',
      page: 1,
      regionId,
      type: 'text',
      bbox,
      order: mode === 'page' ? 0 : 5,
      mode,
      width: 800,
      height: 300,
      dpi: 150,
      raster,
      lang: 'en',
      options: DocOptionsSchema.parse({ lang: 'en' }),
    };
  }

  async function send(t: RegionTask) {
    await bus.publish(Subjects.work('ocr', 'normal'), encode(RegionTaskSchema, t), { msgId: `${t.docId}:${t.regionId}` });
  }

  it('reads a page-mode task and a region task and publishes their RegionResults to assemble', async () => {
    await start();
    const png = await textImage(['Paperline reads scanned pages', 'with PP-OCR models on ONNX'], 'png', { width: 800, height: 300, fontSize: 30 });
    await bus.putObject(ObjectStores.pages, 'doc-ocr-1/1.png', png);
    await send(task('page', 'doc-ocr-1/1.png', 'page', [0, 0, 800, 300]));
    await send(task('r7', 'doc-ocr-1/1.png', 'region', [0, 60, 800, 110]));

    const results = await collectMessages(bus.js, Streams.work, consumerName('assemble', 'normal'), 2, (d) => decode(RegionResultSchema, d), 30_000);
    const byRegion = new Map(results.map((r) => [r.regionId, r]));
    // the en recogniser sometimes reads PaddleOCR's grey padding after a line as a trailing '.'
    const texts = byRegion.get('page')?.blocks.map((b) => b.text.replace(/\.(?= )|\.$/g, ''));
    expect(texts).toEqual(['Paperline reads scanned pages with PP-OCR models on ONNX']);
    expect(byRegion.get('page')?.blocks[0]).toMatchObject({ source: 'ocr', type: 'text', order: 0 });
    expect(byRegion.get('r7')?.blocks).toMatchObject([{ id: 'r7', type: 'text', order: 5, bbox: [0, 60, 800, 110] }]);
    expect(byRegion.get('r7')?.blocks[0]?.text).toMatch(/^with PP-OCR models on ONNX\.?$/);
    expect(MsgIds.regionResult('doc-ocr-1', 1, 'r7', 'ocr')).not.toBe(MsgIds.regionTask('doc-ocr-1', 1, 'r7', 'ocr'));
  });

  it('dead-letters a task whose raster cannot be decoded, and still serves the rest of the batch', async () => {
    await start();
    await bus.putObject(ObjectStores.pages, 'doc-ocr-1/bad.png', new TextEncoder().encode('not an image'));
    await bus.putObject(ObjectStores.pages, 'doc-ocr-1/2.png', await textImage(['Second page'], 'png', { width: 400, height: 120, fontSize: 30 }));
    await send(task('bad', 'doc-ocr-1/bad.png', 'page', [0, 0, 800, 300]));
    await send({ ...task('good', 'doc-ocr-1/2.png', 'page', [0, 0, 400, 120]), width: 400, height: 120 });

    const letters = await collectMessages(bus.js, Streams.dlq, undefined, 1, (d) => decode(DeadLetterSchema, d), 30_000);
    expect(letters[0]).toMatchObject({ stage: 'ocr', code: 'CORRUPT_IMAGE', docId: 'doc-ocr-1' });
    const results = await collectMessages(bus.js, Streams.work, consumerName('assemble', 'normal'), 1, (d) => decode(RegionResultSchema, d), 30_000);
    expect(results[0]).toMatchObject({ regionId: 'good' });
    expect(results[0]?.blocks[0]?.text).toMatch(/^Second page\.?$/);
  });

  it('routes the table of a page it reads to the table stage with its lines when tables are routed, and names it in its result', async () => {
    await start();
    await bus.putObject(ObjectStores.pages, 'doc-ocr-1/3.png', await tableImage([['Name', 'Value'], ['alpha', '10'], ['beta', '25']]));
    await send({ ...task('page', 'doc-ocr-1/3.png', 'page', [0, 0, 720, 400]), routes: ['table'] });
    const [result] = await collectMessages(bus.js, Streams.work, consumerName('assemble', 'normal'), 1, (d) => decode(RegionResultSchema, d), 30_000);
    const [table] = await collectMessages(bus.js, Streams.work, consumerName('table', 'normal'), 1, (d) => decode(RegionTaskSchema, d), 30_000);
    expect(result!.blocks.map((b) => b.text)).toEqual(['Results of the trial']);
    expect(result!.pendingRegions).toEqual([{ regionId: table!.regionId, stage: 'table' }]);
    expect(table).toMatchObject({ type: 'table', mode: 'region', raster: 'doc-ocr-1/3.png', order: 1 });
    expect(table!.words!.map((w) => w.text).sort()).toEqual(['10', '25', 'Name', 'Value', 'alpha', 'beta']);
  });

  it('keeps a table as text when tables are not routed (the feature is off)', async () => {
    await start();
    await bus.putObject(ObjectStores.pages, 'doc-ocr-1/4.png', await tableImage([['Name', 'Value'], ['alpha', '10'], ['beta', '25']]));
    await send(task('page', 'doc-ocr-1/4.png', 'page', [0, 0, 720, 400]));
    const [result] = await collectMessages(bus.js, Streams.work, consumerName('assemble', 'normal'), 1, (d) => decode(RegionResultSchema, d), 30_000);
    expect(result!.pendingRegions).toBeUndefined();
    expect(result!.blocks.every((b) => b.type !== 'table')).toBe(true);
    expect(result!.blocks.map((b) => b.text).join(' ')).toContain('alpha');
  });
});
