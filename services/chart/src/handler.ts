// The chart stage: figure regions in (their crop, caption, and the labels in and around the
// plot); out a chart block (caption, axis labels and ticks as its text) when the labels and axes
// say chart, or the figure block it was (image plus its text) when they say picture.
import {
  ObjectStores,
  RegionTaskSchema,
  decode,
  type Block,
  type RegionTask,
  type Ruling,
} from '@paperline/contracts';
import { handleEachMessage, type BatchContext, type StageHandler, type StageMessage } from '@paperline/stage';
import { regionResultOutput } from '@paperline/stage-host';
import { clampRect, findRasterRulings, joinLines, readingOrder } from '@paperline/vision';
import sharp from 'sharp';
import { DEFAULT_AXIS_OPTIONS, readAxes, type AxisOptions } from './axes.js';

export interface ChartHandlerDeps {
  axes?: AxisOptions;
}

export function createChartHandler(deps: ChartHandlerDeps = {}): StageHandler<RegionTask> {
  const axes = deps.axes ?? DEFAULT_AXIS_OPTIONS;
  return {
    stage: 'chart',
    decode: (data) => decode(RegionTaskSchema, data),
    docIdOf: (task) => task.docId,
    pageOf: (task) => task.page,
    handleBatch: (batch, ctx) => handleEachMessage(batch, async (message) => [regionResultOutput(message.data, 'chart', [await readRegion(message, ctx, axes)])]),
    status: () => ({ backend: 'rules', models: [] }),
  };
}

async function readRegion(message: StageMessage<RegionTask>, ctx: BatchContext, options: AxisOptions): Promise<Block> {
  const task = message.data;
  const words = task.words ?? [];
  const rulings = task.rulings ?? (await pixelRulings(task, ctx));
  const reading = readAxes(task.bbox, words, rulings, options);
  const lines = words.map((w) => ({ text: w.text, bbox: w.bbox, confidence: w.confidence }));
  const base = {
    id: task.regionId,
    bbox: task.bbox,
    confidence: words.length ? words.reduce((s, w) => s + w.confidence, 0) / words.length : 1,
    source: task.mode === 'page' ? ('ocr' as const) : ('text-layer' as const),
    order: task.order,
    lines,
    ...(task.image ? { image: task.image } : {}),
    ...(task.caption ? { caption: task.caption } : {}),
  };
  message.log.debug({ chart: reading.isChart, yTicks: reading.yTicks.length, xLabels: reading.xLabels.length, axes: reading.axes }, 'chart or picture');
  if (!reading.isChart) return { ...base, type: 'figure', text: joinLines(readingOrder([...words]).map((w) => w.text)) };
  const axisText = [
    reading.other.length ? joinLines(readingOrder([...reading.other]).map((w) => w.text)) : '',
    reading.yTicks.length ? `y: ${reading.yTicks.map((w) => w.text).join(', ')}` : '',
    reading.xLabels.length ? `x: ${reading.xLabels.map((w) => w.text).join(', ')}` : '',
  ];
  return { ...base, type: 'chart', text: axisText.filter(Boolean).join('\n') };
}

/** Axis lines of a region without vector rulings (a scan, or a chart drawn as an image), from its pixels. */
async function pixelRulings(task: RegionTask, ctx: BatchContext): Promise<Ruling[]> {
  const source = task.image ?? task.raster;
  if (!source) return [];
  let image = sharp(await ctx.bus.getObject(ObjectStores.pages, source));
  let origin: [number, number] = [task.bbox[0], task.bbox[1]];
  if (!task.image) {
    const { width = 0, height = 0 } = await image.metadata();
    const rect = clampRect(task.bbox, width, height);
    if (!rect) return [];
    image = image.extract(rect);
    origin = [rect.left, rect.top];
  }
  const { data, info } = await image.greyscale().raw().toBuffer({ resolveWithObject: true });
  return findRasterRulings({ data, width: info.width, height: info.height }, origin);
}

