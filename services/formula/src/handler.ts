// The formula stage: formula regions in, a formula block with LaTeX out to assemble. Backends:
// - model (PP-FormulaNet / UniMERNet, when installed): the region's crop of the page raster to LaTeX;
// - glyphs (model-free, born-digital pages): the region's glyph runs and rulings to LaTeX;
// - scans without a model: the crop is stored for the block's picture and the region goes on to
//   the ocr stage, whose block (the formula's OCR text, carrying the crop) completes the region.
import {
  MsgIds,
  ObjectStores,
  PaperlineError,
  RegionTaskSchema,
  Subjects,
  decode,
  encode,
  type Block,
  type RegionTask,
} from '@paperline/contracts';
import { handleEachMessage, type BatchContext, type Output, type StageHandler, type StageMessage } from '@paperline/stage';
import { regionResultOutput } from '@paperline/stage-host';
import { getMetrics } from '@paperline/telemetry';
import sharp from 'sharp';
import { glyphsToLatex } from './glyph-latex.js';
import type { FormulaRecognizer } from './formula-model.js';

export interface FormulaHandlerDeps {
  /** The model backend; without it, glyphs on born-digital pages and OCR on scans. */
  recognizer?: FormulaRecognizer;
  /** Unloads the recogniser's models (pause, memory pressure). */
  release?: () => Promise<void>;
  /** Device label of the inference metric. @default 'cpu' */
  device?: string;
}

export type FormulaBackend = 'model' | 'glyphs' | 'ocr';

/** The object a formula's crop is stored under in `pl-pages`. */
export function formulaCropName(task: Pick<RegionTask, 'docId' | 'page' | 'regionId'>): string {
  return `${task.docId}/${task.page}.${task.regionId}.formula.png`;
}

export function createFormulaHandler(deps: FormulaHandlerDeps = {}): StageHandler<RegionTask> {
  const device = deps.device ?? 'cpu';
  return {
    stage: 'formula',
    decode: (data) => decode(RegionTaskSchema, data),
    docIdOf: (task) => task.docId,
    pageOf: (task) => task.page,
    async handleBatch(batch, ctx) {
      // one at a time: a recogniser holds its two models for the whole decode
      return handleEachMessage(batch, (message) => formulaMessage(message, ctx, deps.recognizer, device));
    },
    ...(deps.release ? { release: deps.release } : {}),
    status: () => ({ backend: deps.recognizer ? deps.recognizer.variant.encoder : 'glyphs' }),
  };
}

async function formulaMessage(message: StageMessage<RegionTask>, ctx: BatchContext, recognizer: FormulaRecognizer | undefined, device: string): Promise<Output[]> {
  const task = message.data;
  const crop = task.raster ? await cropRegion(await ctx.bus.getObject(ObjectStores.pages, task.raster), task) : undefined;
  const image = crop ? formulaCropName(task) : undefined;
  if (crop && image) await ctx.bus.putObject(ObjectStores.pages, image, crop);
  const text = (task.runs ?? []).map((r) => r.text).join(' ');

  let latex: string | undefined;
  let backend: FormulaBackend;
  if (recognizer && crop) {
    const started = performance.now();
    latex = await recognizer.recognize(crop);
    getMetrics().inferenceSeconds.observe({ stage: 'formula', model: recognizer.variant.encoder, device }, (performance.now() - started) / 1000);
    backend = 'model';
  } else if (task.runs && task.runs.length > 0) {
    latex = glyphsToLatex(task.runs, task.rulings ?? []);
    backend = 'glyphs';
  } else if (task.raster) {
    message.log.debug({ regionId: task.regionId, backend: 'ocr' }, 'formula without a model on a scan: read by ocr');
    return [
      {
        subject: Subjects.work('ocr', task.options.priority),
        msgId: MsgIds.regionTask(task.docId, task.page, task.regionId, 'ocr'),
        data: encode(RegionTaskSchema, { ...task, mode: 'region', ...(image ? { image } : {}) }),
      },
    ];
  } else {
    throw new PaperlineError('INVALID_MESSAGE', `formula region ${task.regionId} of page ${task.page} has neither glyph runs nor a raster`);
  }
  const block: Block = {
    id: task.regionId,
    type: 'formula',
    bbox: task.bbox,
    text: text || latex,
    confidence: 1,
    source: backend === 'model' ? 'model' : 'text-layer',
    order: task.order,
    ...(latex ? { latex } : {}),
    ...(image ? { image } : {}),
  };
  message.log.debug({ regionId: task.regionId, backend }, 'formula recognised');
  return [regionResultOutput(task, 'formula', [block])];
}

/** The region's pixels (in page coordinates, scaled to the raster) as PNG; undefined when nothing is left. */
async function cropRegion(raster: Uint8Array, task: RegionTask): Promise<Uint8Array | undefined> {
  const image = sharp(raster);
  const { width = 0, height = 0 } = await image.metadata();
  const sx = width / task.width;
  const sy = height / task.height;
  const left = Math.max(0, Math.floor(task.bbox[0] * sx));
  const top = Math.max(0, Math.floor(task.bbox[1] * sy));
  const right = Math.min(width, Math.ceil(task.bbox[2] * sx));
  const bottom = Math.min(height, Math.ceil(task.bbox[3] * sy));
  if (right - left < 1 || bottom - top < 1) return undefined;
  return new Uint8Array(await image.extract({ left, top, width: right - left, height: bottom - top }).png().toBuffer());
}
