// The OCR stage: RegionTasks in (a whole page, or a known region of one), RegionResults out to
// assemble. Every task of a batch is read in one engine call; a recognition batch never mixes two
// pages' or regions' crops, so a page's text does not depend on what shares its batch.
import {
  MsgIds,
  ObjectStores,
  PaperlineError,
  RegionTaskSchema,
  SCHEMA_VERSION,
  Subjects,
  decode,
  encode,
  type Block,
  type Language,
  type RegionTask,
} from '@paperline/contracts';
import type { BatchContext, JobOutcome, Output, StageHandler, StageMessage } from '@paperline/stage';
import { regionResultOutput } from '@paperline/stage-host';
import type { OcrEngine, OcrJob } from './engine.js';
import { decodeRgb, type RgbImage } from './raster.js';

export interface OcrHandlerDeps {
  engine: OcrEngine;
  /** Language when the request names none. @default the engine's default language */
  defaultLang?: Language;
}

export function createOcrHandler(deps: OcrHandlerDeps): StageHandler<RegionTask> {
  const { engine } = deps;
  const defaultLang = deps.defaultLang ?? engine.defaultLang;
  return {
    stage: 'ocr',
    decode: (data) => decode(RegionTaskSchema, data),
    docIdOf: (task) => task.docId,
    pageOf: (task) => task.page,
    async handleBatch(batch, ctx) {
      const outcomes: JobOutcome[] = new Array<JobOutcome>(batch.length);
      const rasters = await loadRasters(batch, ctx);
      // a request's language wins; otherwise ours, since layout fills task.lang with its own default
      const byLang = new Map<Language, number[]>();
      batch.forEach((message, i) => {
        const raster = rasters[i]!;
        if ('error' in raster) {
          outcomes[i] = { error: raster.error };
          return;
        }
        const lang = message.data.options.lang ?? defaultLang;
        byLang.set(lang, [...(byLang.get(lang) ?? []), i]);
      });
      for (const [lang, indices] of byLang) {
        const jobs = indices.map((i) => toJob(batch[i]!.data, (rasters[i] as { image: RgbImage }).image));
        try {
          const results = await engine.read(jobs, lang);
          indices.forEach((i, k) => (outcomes[i] = { outputs: resultOutputs(batch[i]!.data, results[k]!) }));
        } catch (error) {
          for (const i of indices) outcomes[i] = { error };
        }
      }
      ctx.log.debug({ tasks: batch.length }, 'ocr batch done');
      return outcomes;
    },
    release: () => engine.release(),
    status: () => ({ models: engine.loadedModels(), defaultLang }),
  };
}

/** Each distinct raster fetched and decoded once (several regions of a page share it). */
async function loadRasters(batch: ReadonlyArray<StageMessage<RegionTask>>, ctx: BatchContext): Promise<({ image: RgbImage } | { error: unknown })[]> {
  const cache = new Map<string, Promise<RgbImage>>();
  return Promise.all(
    batch.map(async (message) => {
      const name = message.data.raster;
      if (name === null) return { error: new PaperlineError('INVALID_MESSAGE', `region ${message.data.regionId} of page ${message.data.page} names no raster to read`) };
      let image = cache.get(name);
      if (!image) {
        image = ctx.bus.getObject(ObjectStores.pages, name).then(decodeRgb);
        cache.set(name, image);
      }
      try {
        return { image: await image };
      } catch (error) {
        return { error };
      }
    }),
  );
}

function toJob(task: RegionTask, image: RgbImage): OcrJob {
  if (task.mode === 'page') return { kind: 'page', image, idPrefix: `${task.regionId}-${task.page}`, tables: task.routes?.includes('table') ?? false };
  return { kind: 'region', image, bbox: task.bbox, type: task.type, order: task.order, id: task.regionId };
}

/**
 * The region's RegionResult; on a page read with tables routed on, each table block instead
 * becomes a RegionTask to the table stage (its OCR lines as the words), and the result names
 * those regions so the page waits for them.
 */
function resultOutputs(task: RegionTask, blocks: Block[]): Output[] {
  const tables = task.mode === 'page' && task.routes?.includes('table') ? blocks.filter((b) => b.type === 'table') : [];
  const tableTasks: Output[] = tables.map((block) => ({
    subject: Subjects.work('table', task.options.priority),
    msgId: MsgIds.regionTask(task.docId, task.page, block.id, 'table'),
    data: encode(RegionTaskSchema, {
      v: SCHEMA_VERSION,
      docId: task.docId,
      page: task.page,
      regionId: block.id,
      type: 'table',
      bbox: block.bbox,
      order: block.order,
      mode: 'region',
      width: task.width,
      height: task.height,
      dpi: task.dpi,
      raster: task.raster,
      lang: task.lang,
      options: task.options,
      words: block.lines ?? [],
    }),
  }));
  // a region task's crop (a formula's picture beside its OCR text) goes with its block
  const found = blocks.filter((b) => !tables.includes(b)).map((b) => (task.image ? { ...b, image: task.image } : b));
  const pending = tables.length ? tables.map((b) => ({ regionId: b.id, stage: 'table' as const })) : undefined;
  return [...tableTasks, regionResultOutput(task, 'ocr', found, pending)];
}
