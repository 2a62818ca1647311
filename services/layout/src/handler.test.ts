import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import {
  AssembleMessageSchema,
  DocOptionsSchema,
  MsgIds,
  ObjectNames,
  ObjectStores,
  PageTaskSchema,
  PageTextLayerSchema,
  RegionTaskSchema,
  SCHEMA_VERSION,
  Streams,
  Subjects,
  decode,
  encode,
  type DocOptionsInput,
  type GlyphRun,
  type PageLayout,
  type PageTextLayer,
} from '@paperline/contracts';
import { ControlPlane, StageRuntime } from '@paperline/stage';
import { collectMessages, startTestServer, textImage, type TestServer } from '@paperline/testing';
import { createLayoutHandler } from './handler.js';

const WIDTH = 1275;
const HEIGHT = 1650;

const run = (text: string, x: number, y: number, size = 20, bold = false): GlyphRun => ({
  text,
  bbox: [x, y - 0.8 * size, x + 0.5 * size * text.length, y + 0.2 * size],
  font: bold ? 'Helvetica-Bold' : 'Helvetica',
  size,
  bold,
  italic: false,
});

const TABLE_PAGE: PageTextLayer = {
  v: SCHEMA_VERSION,
  runs: [run('Results', 100, 200, 30, true), run('Name', 110, 322), run('Value', 500, 322), run('alpha', 110, 360), run('1.0', 500, 360), run('beta', 110, 400), run('2.5', 500, 400)],
  rulings: [300, 330, 420].map((y) => ({ x0: 100, y0: y, x1: 700, y1: y })),
  images: [[200, 600, 600, 900]],
};

describe('layout handler on a real nats-server', () => {
  let server: TestServer;
  let bus: Bus;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());
  afterEach(async () => server.reset());

  async function start() {
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    const handler = createLayoutHandler({ bus, settings: { featureCacheMs: 0 } });
    const runtime = new StageRuntime(handler, { stage: 'layout', health: false, controlWatch: false }, { bus });
    server.defer(() => runtime.close());
    await runtime.start();
  }

  /** `inline`: the text layer travels in the task, as render sends small ones; otherwise it is stored in pl-pages. */
  async function publishPage(docId: string, page: number, layer: PageTextLayer | null, options: DocOptionsInput = {}, inline = false) {
    const raster = ObjectNames.pageRaster(docId, page);
    await bus.putObject(ObjectStores.pages, raster, await textImage(['page'], 'png', { width: WIDTH, height: HEIGHT }));
    const textLayer = layer && !inline ? ObjectNames.pageText(docId, page) : null;
    if (layer && textLayer) await bus.putObject(ObjectStores.pages, textLayer, encode(PageTextLayerSchema, layer));
    const task = {
      v: SCHEMA_VERSION,
      docId,
      page,
      pageCount: 2,
      width: WIDTH,
      height: HEIGHT,
      dpi: 150,
      source: { kind: 'pdf' as const, object: ObjectNames.document(docId) },
      raster,
      textLayer,
      ...(layer && inline ? { textLayerInline: layer } : {}),
      options: DocOptionsSchema.parse(options),
    };
    await bus.publish(Subjects.work('layout', task.options.priority), encode(PageTaskSchema, task), { msgId: MsgIds.page(docId, page) });
  }

  it('routes the table of a text-layer page to the table stage and its figure to the chart stage (crop in pl-pages), and a scanned page to OCR', async () => {
    await start();
    await publishPage('doc-layout', 1, TABLE_PAGE);
    await publishPage('doc-layout', 2, null, { lang: 'ch' });
    const layouts = (await collectMessages(bus.js, Streams.work, 'assemble-normal', 2, (d) => decode(AssembleMessageSchema, d))) as PageLayout[];
    const byPage = new Map(layouts.map((l) => [l.page, l]));
    const first = byPage.get(1)!;
    expect(first.blocks.map((b) => b.type)).toEqual(['heading']);
    expect(first.pendingRegions).toEqual([
      { regionId: 'r1', stage: 'table' },
      { regionId: 'r2', stage: 'chart' },
    ]);
    const [table] = await collectMessages(bus.js, Streams.work, 'table-normal', 1, (d) => decode(RegionTaskSchema, d));
    expect(table).toMatchObject({ regionId: 'r1', type: 'table', order: 1, raster: 'doc-layout/1.png', rulings: TABLE_PAGE.rulings });
    expect(table!.words!.map((w) => w.text)).toEqual(['Name', 'Value', 'alpha', '1.0', 'beta', '2.5']);
    const [chart] = await collectMessages(bus.js, Streams.work, 'chart-normal', 1, (d) => decode(RegionTaskSchema, d));
    expect(chart).toMatchObject({ regionId: 'r2', type: 'chart', order: 2, bbox: [200, 600, 600, 900] });
    const crop = await bus.getObject(ObjectStores.pages, chart!.image!);
    const meta = await sharp(crop).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 400, 300]);

    const second = byPage.get(2)!;
    expect(second.blocks).toEqual([]);
    expect(second.pendingRegions).toEqual([{ regionId: 'page', stage: 'ocr' }]);
    const [region] = await collectMessages(bus.js, Streams.work, 'ocr-normal', 1, (d) => decode(RegionTaskSchema, d));
    expect(region).toMatchObject({ docId: 'doc-layout', page: 2, regionId: 'page', mode: 'page', bbox: [0, 0, WIDTH, HEIGHT], lang: 'ch', raster: 'doc-layout/2.png', routes: ['table'] });
  });

  it('hands on an image layer that is exactly the page figure as the figure itself, storing no copy of it', async () => {
    await start();
    const docId = 'doc-image-layer';
    const raster = ObjectNames.pageRaster(docId, 1);
    const [figure] = TABLE_PAGE.images;
    await bus.putObject(ObjectStores.pages, raster, await textImage(['figure'], 'png', { width: figure![2] - figure![0], height: figure![3] - figure![1] }));
    const task = {
      v: SCHEMA_VERSION,
      docId,
      page: 1,
      pageCount: 1,
      width: WIDTH,
      height: HEIGHT,
      dpi: 150,
      source: { kind: 'pdf' as const, object: ObjectNames.document(docId) },
      raster,
      rasterContent: 'images' as const,
      rasterBox: figure,
      textLayer: null,
      textLayerInline: TABLE_PAGE,
      options: DocOptionsSchema.parse({}),
    };
    await bus.publish(Subjects.work('layout', 'normal'), encode(PageTaskSchema, task), { msgId: MsgIds.page(docId, 1) });
    const [chart] = await collectMessages(bus.js, Streams.work, 'chart-normal', 1, (d) => decode(RegionTaskSchema, d));
    expect(chart).toMatchObject({ regionId: 'r2', type: 'chart', bbox: figure, image: raster });
    const stored: string[] = [];
    for await (const info of await (await bus.objects(ObjectStores.pages)).list()) stored.push(info.name);
    expect(stored).toEqual([raster]);
  });

  it('reads a text layer that travels inline in the task the same as a stored one', async () => {
    await start();
    await publishPage('doc-inline', 1, TABLE_PAGE, {}, true);
    await publishPage('doc-stored', 1, TABLE_PAGE);
    const layouts = (await collectMessages(bus.js, Streams.work, 'assemble-normal', 2, (d) => decode(AssembleMessageSchema, d))) as PageLayout[];
    const blocks = Object.fromEntries(layouts.map((l) => [l.docId, [l.blocks.map((b) => [b.type, b.text]), l.pendingRegions]]));
    expect(blocks['doc-inline']).toEqual(blocks['doc-stored']);
    expect(blocks['doc-inline']?.[1]).toEqual([
      { regionId: 'r1', stage: 'table' },
      { regionId: 'r2', stage: 'chart' },
    ]);
  });

  it('falls back to text for tables and to an image for charts when the control flag or the request turns them off', async () => {
    await start();
    const control = await ControlPlane.open(bus);
    await control.setFeature('table', false);
    await control.setFeature('chart', false);
    await publishPage('doc-flag-off', 1, TABLE_PAGE);
    const [offByFlag] = (await collectMessages(bus.js, Streams.work, 'assemble-normal', 1, (d) => decode(AssembleMessageSchema, d))) as PageLayout[];
    expect(offByFlag!.pendingRegions).toEqual([]);
    const types = offByFlag!.blocks.map((b) => b.type);
    expect(types).not.toContain('table');
    expect(types.filter((t) => t === 'figure')).toHaveLength(1);
    expect(offByFlag!.blocks.map((b) => b.text).join(' ')).toContain('alpha');

    await control.setFeature('table', true);
    await control.setFeature('chart', true);
    await publishPage('doc-req-off', 1, TABLE_PAGE, { features: { table: false } });
    await publishPage('doc-on', 1, TABLE_PAGE);
    const layouts = (await collectMessages(bus.js, Streams.work, 'assemble-normal', 2, (d) => decode(AssembleMessageSchema, d))) as PageLayout[];
    const stages = Object.fromEntries(layouts.map((l) => [l.docId, l.pendingRegions.map((r) => r.stage)]));
    expect(stages['doc-req-off']).toEqual(['chart']);
    expect(stages['doc-on']).toEqual(['table', 'chart']);
  });
});
