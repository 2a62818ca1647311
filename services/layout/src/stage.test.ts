// The layout stage with a generated PP-DocLayout model of the real signature, on a real
// nats-server: the model loads through the ModelManager under the budget, a scanned page's
// detections become regions routed to OCR in reading order, and a pause gives the model back.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { AssembleMessageSchema, DocOptionsSchema, MsgIds, ObjectNames, ObjectStores, PageTaskSchema, RegionTaskSchema, SCHEMA_VERSION, Streams, Subjects, decode, encode, type PageLayout } from '@paperline/contracts';
import { DEFAULT_MANIFEST_PATH } from '@paperline/models';
import { StageRuntime } from '@paperline/stage';
import { collectMessages, docLayoutModel, startTestServer, writeOnnxModel, type TestServer } from '@paperline/testing';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadLayoutConfig } from './config.js';
import { createLayoutStage } from './stage.js';

const NO_HOOKS = { suspend: () => undefined, resume: () => undefined, recycle: () => undefined };

/** A models dir holding a generated PP-DocLayout-S (32x48 input) and a manifest with the repo's entry for it, resized. */
function installGeneratedModel(): { manifest: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pl-layout-models-'));
  mkdirSync(join(dir, 'layout'));
  writeOnnxModel(join(dir, 'layout/PP-DocLayout-S.onnx'), docLayoutModel({ architecture: 'picodet-gfl', height: 32, width: 48 }));
  const repo = JSON.parse(readFileSync(DEFAULT_MANIFEST_PATH, 'utf8')) as { models: Array<{ id: string; io: { inputs: Array<{ name: string; shape: unknown[] }> } }> };
  const entry = repo.models.find((m) => m.id === 'pp-doclayout-s')!;
  entry.io.inputs.find((i) => i.name === 'image')!.shape = [1, 3, 32, 48];
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ models: [entry] }));
  return { manifest, dir };
}

describe('layout stage with a PP-DocLayout model on a real nats-server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  async function connect() {
    const bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    return bus;
  }

  it("picks the installed model ('auto'), routes a scan's regions to OCR in reading order, and unloads the model on release", async () => {
    const bus = await connect();
    const models = installGeneratedModel();
    const config = loadLayoutConfig({ overrides: { models: { manifest: models.manifest, dir: models.dir }, memory: { guard: { enabled: false } } } });
    const stage = await createLayoutStage({ bus, config, hooks: NO_HOOKS });
    server.defer(() => stage.close());
    expect(stage.models).toBeDefined();
    expect(stage.handler.status?.()).toEqual({ backend: 'pp-doclayout-s' });
    const runtime = new StageRuntime(stage.handler, { stage: 'layout', health: false, controlWatch: false }, { bus });
    server.defer(() => runtime.close());
    await runtime.start();

    const raster = ObjectNames.pageRaster('doc-model', 1);
    await bus.putObject(ObjectStores.pages, raster, await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 200, g: 100, b: 50 } } }).png().toBuffer());
    const task = {
      v: SCHEMA_VERSION,
      docId: 'doc-model',
      page: 1,
      pageCount: 1,
      width: 640,
      height: 400,
      dpi: 150,
      source: { kind: 'image' as const, object: ObjectNames.document('doc-model') },
      raster,
      textLayer: null,
      options: DocOptionsSchema.parse({ lang: 'en' }),
    };
    await bus.publish(Subjects.work('layout', 'normal'), encode(PageTaskSchema, task), { msgId: MsgIds.page('doc-model', 1) });

    const [layout] = (await collectMessages(bus.js, Streams.work, 'assemble-normal', 1, (d) => decode(AssembleMessageSchema, d))) as PageLayout[];
    expect(layout!.blocks).toEqual([]);
    expect(layout!.pendingRegions).toEqual([
      { regionId: 'r0', stage: 'ocr' },
      { regionId: 'r1', stage: 'ocr' },
    ]);
    const regions = await collectMessages(bus.js, Streams.work, 'ocr-normal', 2, (d) => decode(RegionTaskSchema, d));
    // the model's boxes in raster pixels, doubled to the page's 640x400
    expect(regions.map((r) => [r.regionId, r.type, r.mode, r.bbox])).toEqual([
      ['r0', 'text', 'region', [160, 50, 480, 150]],
      ['r1', 'table', 'region', [226, 194, 382, 300]],
    ]);
    expect(stage.models!.manager.status().map((m) => m.model)).toEqual(['pp-doclayout-s']);
    await stage.handler.release!();
    expect(stage.models!.manager.status().filter((m) => m.device)).toEqual([]);
  });

  it("without a model file ('auto') owns no model and keeps the text-layer backend", async () => {
    const bus = await connect();
    const config = loadLayoutConfig({ overrides: { models: { dir: mkdtempSync(join(tmpdir(), 'pl-layout-empty-')) } } });
    const stage = await createLayoutStage({ bus, config, hooks: NO_HOOKS });
    expect(stage.models).toBeUndefined();
    expect(stage.handler.status?.()).toEqual({ backend: 'text-layer' });
  });
});
