// The table stage on a real nats-server: the SLANet backend with a generated model of SLANet's
// signature (loaded through the ModelManager under the memory budget), and the model-free backend
// on born-digital words and rulings and on a scan's pixels.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import {
  Buckets,
  DocOptionsSchema,
  LedgerSchema,
  MemoryKeys,
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
  type TextLine,
} from '@paperline/contracts';
import { StageRuntime } from '@paperline/stage';
import { collectMessages, startTestServer, tableStructureModel, writeOnnxModel, type TestServer } from '@paperline/testing';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTableConfig } from './config.js';
import { RegionCrop } from './crop.js';
import { slanetInput, structureTokens } from './slanet.js';
import { createTableStage, DEFAULT_TABLE_DICTS_DIR } from './stage.js';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const word = (text: string, bbox: TextLine['bbox']): TextLine => ({ text, bbox, confidence: 0.9 });

/** A white page with a pure red rectangle (the "table" the generated model reads) at 100,50 - 344,172. */
async function redPage(): Promise<Uint8Array> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="400"><rect width="800" height="400" fill="#fff"/><rect x="100" y="50" width="244" height="122" fill="#f00"/></svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}

/** A scanned-looking ruled grid: 3 columns x 3 rows of black rules on white, 600 x 180 at 50,50. */
async function gridPage(): Promise<Uint8Array> {
  const lines = [50, 110, 170, 230].map((y) => `<rect x="50" y="${y}" width="600" height="2" fill="#000"/>`).concat([50, 250, 450, 648].map((x) => `<rect x="${x}" y="50" width="2" height="182" fill="#000"/>`));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="700" height="300"><rect width="700" height="300" fill="#fff"/>${lines.join('')}</svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}

describe('table stage', () => {
  let server: TestServer;
  let bus: Bus;
  const dir = mkdtempSync(join(tmpdir(), 'pl-table-'));
  const tokens = structureTokens(readFileSync(join(DEFAULT_TABLE_DICTS_DIR, 'table_structure_dict.txt'), 'utf8'));
  const at = (token: string) => tokens.indexOf(token);

  beforeAll(async () => {
    server = await startTestServer();
    // <thead><tr><td></td><td></td></tr></thead><tbody><tr><td colspan="2"></td></tr></tbody>
    const sequence = ['sos', '<thead>', '<tr>', '<td></td>', '<td></td>', '</tr>', '</thead>', '<tbody>', '<tr>', '<td', ' colspan="2"', '>', '</td>', '</tr>', '</tbody>', 'eos'];
    const corners = (x0: number, y0: number, x1: number, y1: number) => [x0, y0, x1, y0, x1, y1, x0, y1];
    const boxes: number[][] = sequence.map(() => []);
    boxes[3] = corners(0, 0, 0.5, 0.25);
    boxes[4] = corners(0.5, 0, 1, 0.25);
    boxes[9] = corners(0, 0.25, 1, 0.5);
    mkdirSync(join(dir, 'SLANet'));
    // the left x of every box moves by 0.01 x the mean of input plane 0 (blue, if the channels are BGR)
    const planeWeights: [number[], number[], number[]] = [[0.01, 0, 0, 0, 0, 0, 0.01, 0], [], []];
    writeOnnxModel(join(dir, 'SLANet', 'inference.onnx'), tableStructureModel({ tokens: sequence.map(at), classes: tokens.length, boxes, planeWeights }));
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({ models: [{ id: 'slanet', stage: 'table', task: 'table-structure', files: [{ path: 'SLANet/inference.onnx' }], license: 'Apache-2.0', source: 'generated', memoryEstimateBytes: 20_000_000 }] }),
    );
  });
  afterAll(async () => server?.stop());
  afterEach(async () => server.reset());

  async function start(backend: string) {
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    const env = { PL_MODELS_MANIFEST: join(dir, 'manifest.json'), PL_MODELS_DIR: dir, PL_MODEL_PROVIDERS: 'cpu', PL_MEMORY_CPU_CAPACITY: '512MB', PL_MEMORY_GUARD: 'false', PL_TABLE_BACKEND: backend, PL_NODE: 'tabletest' };
    const stage = await createTableStage({ bus, config: loadTableConfig({ env }), hooks: { suspend: () => undefined, resume: () => undefined, recycle: () => undefined } });
    server.defer(() => stage.close());
    const runtime = new StageRuntime(stage.handler, { stage: 'table', health: false, controlWatch: false }, { bus });
    server.defer(() => runtime.close());
    await runtime.start();
    return stage;
  }

  function task(regionId: string, raster: string | null, bbox: RegionTask['bbox'], words: TextLine[], extra: Partial<RegionTask> = {}): RegionTask {
    return { v: SCHEMA_VERSION, docId: 'doc-table-1', page: 1, regionId, type: 'table', bbox, order: 3, mode: 'region', width: 800, height: 400, dpi: 150, raster, lang: 'en', options: DocOptionsSchema.parse({}), words, ...extra };
  }

  async function roundTrip(tasks: RegionTask[]) {
    for (const t of tasks) await bus.publish(Subjects.work('table', 'normal'), encode(RegionTaskSchema, t), { msgId: `${t.docId}:${t.regionId}` });
    return collectMessages(bus.js, Streams.work, consumerName('assemble', 'normal'), tasks.length, (d) => decode(RegionResultSchema, d), 30_000);
  }

  it('normalises a crop for SLANet: BGR planes, ImageNet mean/std, zero padding', () => {
    const red = { data: new Uint8Array([255, 0, 0, 255, 0, 0]), width: 2, height: 1 };
    const x = slanetInput(red);
    const plane = 488 * 488;
    expect(x[0]).toBeCloseTo((0 - MEAN[0]!) / STD[0]!, 6);
    expect(x[plane]).toBeCloseTo((0 - MEAN[1]!) / STD[1]!, 6);
    expect(x[2 * plane + 1]).toBeCloseTo((1 - MEAN[2]!) / STD[2]!, 6);
    expect(x[2]).toBe(0);
    expect(x[488]).toBe(0);
  });

  it('gives SLANet the 30 English and 50 plus structure classes', () => {
    expect(tokens).toHaveLength(30);
    expect(tokens.slice(0, 3)).toEqual(['sos', '<thead>', '<tr>']);
    expect(tokens.slice(-2)).toEqual(['<td></td>', 'eos']);
    expect(structureTokens(readFileSync(join(DEFAULT_TABLE_DICTS_DIR, 'table_structure_dict_ch.txt'), 'utf8'))).toHaveLength(50);
  });

  it('decodes a generated SLANet model exactly: cell boxes scaled back from the padded frame, spans, cells filled by overlap; its lease is in the ledger', async () => {
    const stage = await start('auto');
    expect(stage.backend.name).toBe('slanet');
    const page = await redPage();
    const crop = (await RegionCrop.cut(page, [100, 50, 344, 172]))!;
    const words = [word('Name', [110, 60, 160, 80]), word('Value', [230, 60, 290, 80]), word('Total', [110, 130, 160, 150]), word('42', [230, 130, 260, 150])];
    const table = (await stage.backend.recognise({ bbox: [100, 50, 344, 172], words, rulings: undefined, crop }))!;
    // 244 x 122 resized to 488 x 244 and padded: plane 0 (blue = 0) averages (0 - 0.485) / 0.229 over half the frame
    const shift = 0.01 * (0.5 * ((0 - MEAN[0]!) / STD[0]!)) * 244;
    const cells = table.rows.flatMap((r) => r.cells);
    expect(cells.map((c) => c.bbox[0])).toEqual([100 + shift, 222 + shift, 100 + shift].map((v) => expect.closeTo(v, 3)));
    expect(cells.map((c) => c.bbox.slice(1))).toEqual([
      [50, 222, 111].map((v) => expect.closeTo(v, 3)),
      [50, 344, 111].map((v) => expect.closeTo(v, 3)),
      [111, 344, 172].map((v) => expect.closeTo(v, 3)),
    ]);
    const ledger = LedgerSchema.parse((await (await bus.kv(Buckets.memory)).get(MemoryKeys.ledger('cpu@tabletest')))!.json());
    expect(Object.values(ledger.leases).map((l) => [l.stage, l.model])).toEqual([['table', 'slanet']]);

    await bus.putObject(ObjectStores.pages, 'doc-table-1/1.png', page);
    const [result] = await roundTrip([task('page-t1', 'doc-table-1/1.png', [100, 50, 344, 172], words)]);
    expect(result!.blocks).toMatchObject([{ id: 'page-t1', type: 'table', source: 'model', order: 3 }]);
    expect(result!.blocks[0]!.html).toBe('<table><thead><tr><td>Name</td><td>Value</td></tr></thead><tbody><tr><td colspan="2">Total 42</td></tr></tbody></table>');
    expect(result!.blocks[0]!.markdown).toBeUndefined();
    await stage.handler.release!();
    const released = LedgerSchema.parse((await (await bus.kv(Buckets.memory)).get(MemoryKeys.ledger('cpu@tabletest')))!.json());
    expect(released.leases).toEqual({});
  });

  it('reads born-digital words and vector rulings without a model, and a scan from the rulings in its pixels', async () => {
    const stage = await start('rules');
    expect(stage.backend.name).toBe('rules');
    await bus.putObject(ObjectStores.pages, 'doc-table-1/2.png', await gridPage());
    const rulings = [50, 110, 170, 230].map((y) => ({ x0: 50, y0: y, x1: 650, y1: y }));
    const bornDigital = [word('Name', [60, 70, 110, 90]), word('Value', [260, 70, 310, 90]), word('Unit', [460, 70, 500, 90]), word('alpha', [60, 130, 110, 150]), word('1.0', [260, 130, 290, 150]), word('m', [460, 130, 470, 150])];
    // the scan's words: one cell left empty; a word crossing nothing
    const scanned = [word('Key', [60, 70, 100, 90]), word('A', [260, 70, 270, 90]), word('B', [460, 70, 470, 90]), word('x', [60, 130, 70, 150]), word('1', [260, 130, 270, 150]), word('y', [60, 190, 70, 210]), word('3', [460, 190, 470, 210])];
    const results = await roundTrip([
      task('b1', null, [50, 50, 650, 230], bornDigital, { rulings }),
      task('page-t2', 'doc-table-1/2.png', [45, 45, 655, 240], scanned),
      task('b9', null, [0, 0, 300, 100], [word('just one line of text', [10, 10, 200, 30])], { rulings: [] }),
    ]);
    const byId = new Map(results.map((r) => [r.regionId, r.blocks[0]!]));
    expect(byId.get('b1')).toMatchObject({ type: 'table', source: 'text-layer', markdown: '| Name | Value | Unit |\n| --- | --- | --- |\n| alpha | 1.0 | m |' });
    expect(byId.get('page-t2')).toMatchObject({ type: 'table', source: 'ocr' });
    expect(byId.get('page-t2')!.html).toBe('<table><tr><td>Key</td><td>A</td><td>B</td></tr><tr><td>x</td><td>1</td><td></td></tr><tr><td>y</td><td></td><td>3</td></tr></table>');
    // no grid: the words come back as text, none lost
    expect(byId.get('b9')).toMatchObject({ type: 'text', text: 'just one line of text' });
  });
});
