// The formula stage on a real nats-server: LaTeX from glyph runs on a born-digital region, a scan
// region handed to ocr with its crop when no model is installed, and the generated model backend
// loaded through the ModelManager (released on pause).
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { AssembleMessageSchema, DocOptionsSchema, MsgIds, ObjectNames, ObjectStores, RegionTaskSchema, SCHEMA_VERSION, Streams, Subjects, decode, encode, type GlyphRun, type RegionResult, type RegionTask } from '@paperline/contracts';
import { StageRuntime, type StageHandler } from '@paperline/stage';
import { collectMessages, startTestServer, type TestServer } from '@paperline/testing';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installGeneratedFormulaModel } from '../test/generated-model.js';
import { loadFormulaConfig } from './config.js';
import { createFormulaHandler, formulaCropName } from './handler.js';
import { createFormulaStage } from './stage.js';

const NO_HOOKS = { suspend: () => undefined, resume: () => undefined, recycle: () => undefined };
const run = (text: string, x: number, y: number, size = 20): GlyphRun => ({ text, bbox: [x, y - 0.8 * size, x + 0.55 * size * text.length, y + 0.2 * size], font: 'CMMI10', size, bold: false, italic: false });

function region(docId: string, extra: Partial<RegionTask>): RegionTask {
  return {
    v: SCHEMA_VERSION,
    docId,
    page: 1,
    regionId: 'r3',
    type: 'formula',
    bbox: [100, 100, 300, 160],
    order: 3,
    mode: 'region',
    width: 400,
    height: 300,
    dpi: 150,
    raster: null,
    lang: 'en',
    options: DocOptionsSchema.parse({}),
    ...extra,
  };
}

describe('formula stage on a real nats-server', () => {
  let server: TestServer;
  let bus: Bus;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  async function start(handler: StageHandler<RegionTask>) {
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    const runtime = new StageRuntime(handler, { stage: 'formula', health: false, controlWatch: false }, { bus });
    server.defer(() => runtime.close());
    await runtime.start();
  }

  const publish = (task: RegionTask) => bus.publish(Subjects.work('formula', 'normal'), encode(RegionTaskSchema, task), { msgId: MsgIds.regionTask(task.docId, task.page, task.regionId, 'formula') });

  async function putRaster(docId: string, grey: number) {
    const name = ObjectNames.pageRaster(docId, 1);
    await bus.putObject(ObjectStores.pages, name, await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: grey, g: grey, b: grey } } }).png().toBuffer());
    return name;
  }

  it('turns a born-digital region into LaTeX from its glyph runs (scripts and a fraction bar)', async () => {
    await start(createFormulaHandler());
    const runs = [run('a', 120, 122), run('2', 131, 115, 12), run('b', 120, 152)];
    await publish(region('doc-glyphs', { runs, rulings: [{ x0: 110, y0: 130, x1: 150, y1: 130 }] }));
    const [result] = (await collectMessages(bus.js, Streams.work, 'assemble-normal', 1, (d) => decode(AssembleMessageSchema, d))) as RegionResult[];
    expect(result).toMatchObject({ type: 'region', docId: 'doc-glyphs', regionId: 'r3', stage: 'formula' });
    expect(result!.blocks).toEqual([expect.objectContaining({ id: 'r3', type: 'formula', latex: '\\frac{a^{2}}{b}', text: 'a 2 b', order: 3, source: 'text-layer' })]);
  });

  it('without a model, sends a scan region on to ocr carrying its stored crop', async () => {
    await start(createFormulaHandler());
    const raster = await putRaster('doc-scan', 0);
    await publish(region('doc-scan', { raster }));
    const [forwarded] = await collectMessages(bus.js, Streams.work, 'ocr-normal', 1, (d) => decode(RegionTaskSchema, d));
    expect(forwarded).toMatchObject({ docId: 'doc-scan', regionId: 'r3', type: 'formula', mode: 'region', image: formulaCropName({ docId: 'doc-scan', page: 1, regionId: 'r3' }) });
    const meta = await sharp(await bus.getObject(ObjectStores.pages, forwarded!.image!)).metadata();
    expect([meta.width, meta.height]).toEqual([200, 60]);
  });

  it('with a model installed, recognises the crop through the ModelManager and releases both models on pause', async () => {
    const models = installGeneratedFormulaModel();
    const config = loadFormulaConfig({ overrides: { models: { manifest: models.manifestPath, dir: models.dir }, memory: { guard: { enabled: false } } } });
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    const stage = await createFormulaStage({ bus, config, hooks: NO_HOOKS });
    server.defer(() => stage.close());
    expect(stage.handler.status?.()).toEqual({ backend: 'pp-formulanet-s' });
    await start(stage.handler);
    const raster = await putRaster('doc-model', 255);
    await publish(region('doc-model', { raster, runs: [run('ignored', 120, 122)] }));
    const [result] = (await collectMessages(bus.js, Streams.work, 'assemble-normal', 1, (d) => decode(AssembleMessageSchema, d))) as RegionResult[];
    expect(result!.blocks[0]).toMatchObject({ latex: '\\sqrt{x} +y', source: 'model', image: formulaCropName({ docId: 'doc-model', page: 1, regionId: 'r3' }) });
    expect(stage.models!.manager.status().map((m) => m.model).sort()).toEqual(['pp-formulanet-s', 'pp-formulanet-s-decoder']);
    await stage.handler.release!();
    expect(stage.models!.manager.status().filter((m) => m.device)).toEqual([]);
  });
});
