// The table stage: table RegionTasks in (their words, rulings and the page raster), a table
// block out to assemble: HTML with rowspan/colspan, GFM where it has no merged cells. A region
// whose words form no grid comes back as a text block with all its words.
import {
  ObjectStores,
  RegionTaskSchema,
  decode,
  type Block,
  type RegionTask,
} from '@paperline/contracts';
import { handleEachMessage, type BatchContext, type StageHandler, type StageMessage } from '@paperline/stage';
import { regionResultOutput } from '@paperline/stage-host';
import { getMetrics } from '@paperline/telemetry';
import { joinLines, readingOrder } from '@paperline/vision';
import type { TableBackend } from './backend.js';
import { RegionCrop } from './crop.js';
import { tableGfm, tableHtml, tableText } from './structure.js';

export interface TableHandlerDeps {
  backend: TableBackend;
  /** Device label of the inference metric. @default 'cpu' */
  device?: string;
}

export function createTableHandler(deps: TableHandlerDeps): StageHandler<RegionTask> {
  const { backend } = deps;
  const device = deps.device ?? 'cpu';
  return {
    stage: 'table',
    decode: (data) => decode(RegionTaskSchema, data),
    docIdOf: (task) => task.docId,
    pageOf: (task) => task.page,
    async handleBatch(batch, ctx) {
      // regions of one page share its raster: fetched once per batch
      const rasters = new Map<string, Promise<Uint8Array>>();
      return handleEachMessage(batch, async (message) => {
        const started = performance.now();
        const block = await readRegion(message, ctx, backend, rasters);
        getMetrics().inferenceSeconds.observe({ stage: 'table', model: backend.name, device }, (performance.now() - started) / 1000);
        return [regionResultOutput(message.data, 'table', [block])];
      });
    },
    release: () => backend.release(),
    status: () => ({ backend: backend.name, models: backend.loaded() }),
  };
}

async function readRegion(message: StageMessage<RegionTask>, ctx: BatchContext, backend: TableBackend, rasters: Map<string, Promise<Uint8Array>>): Promise<Block> {
  const task = message.data;
  const words = task.words ?? [];
  let crop: RegionCrop | undefined;
  // pixels are needed for a model, or for the rulings of a scan (no vector rulings)
  if (task.raster && (backend.name !== 'rules' || task.rulings === undefined)) {
    let raster = rasters.get(task.raster);
    if (!raster) rasters.set(task.raster, (raster = ctx.bus.getObject(ObjectStores.pages, task.raster)));
    crop = await RegionCrop.cut(await raster, task.bbox);
  }
  const table = await backend.recognise({ bbox: task.bbox, words, rulings: task.rulings, crop });
  const source: Block['source'] = backend.name !== 'rules' && crop ? 'model' : task.rulings !== undefined ? 'text-layer' : 'ocr';
  const lines = words.map((w) => ({ text: w.text, bbox: w.bbox, confidence: w.confidence }));
  const confidence = words.length ? words.reduce((s, w) => s + w.confidence, 0) / words.length : 0;
  if (!table) {
    message.log.debug({ words: words.length }, 'no table grid: the region is kept as text');
    const ordered = readingOrder([...words]);
    return { id: task.regionId, type: 'text', bbox: task.bbox, text: joinLines(ordered.map((w) => w.text)), confidence, source, order: task.order, lines };
  }
  const markdown = tableGfm(table);
  return {
    id: task.regionId,
    type: 'table',
    bbox: task.bbox,
    text: tableText(table),
    confidence,
    source,
    order: task.order,
    lines,
    html: tableHtml(table),
    ...(markdown ? { markdown } : {}),
  };
}

