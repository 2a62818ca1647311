// The layout stage: a rendered page in; its PageLayout (blocks resolved from the text layer, and
// the regions still pending) to assemble, and RegionTasks to the feature stages: a scan to ocr,
// tables to table, figures to chart (each only while its feature is on).
import type { Bus } from '@paperline/bus';
import {
  MsgIds,
  ObjectStores,
  PageLayoutSchema,
  PageTaskSchema,
  PageTextLayerSchema,
  PaperlineError,
  RegionTaskSchema,
  SCHEMA_VERSION,
  Subjects,
  decode,
  encode,
  type Language,
  type PageTask,
} from '@paperline/contracts';
import { ControlPlane, type BatchContext, type JobOutcome, type Output, type StageHandler, type StageMessage } from '@paperline/stage';
import type { Logger } from '@paperline/telemetry';
import { DEFAULT_OCR_LANG } from './config.js';
import { cropRaster } from './crops.js';
import { CachedFeatures, DEFAULT_FEATURE_CACHE_MS, effectiveFeatures, type FeatureSource } from './features.js';
import type { DocLayoutDetector } from './doclayout-detector.js';
import { layoutPage } from './layout-page.js';
import { modelLayout } from './model-layout.js';

export interface LayoutSettings {
  /** @default 2000 */
  featureCacheMs: number;
  /** OCR language when the request names none. @default 'en' */
  defaultLang: Language;
  /**
   * With a layout model: lay out born-digital pages that carry a whole-page raster with it too
   * (scans always use it). @default true
   */
  modelOnTextPages: boolean;
}

export const DEFAULT_LAYOUT_SETTINGS: Readonly<LayoutSettings> = Object.freeze({
  featureCacheMs: DEFAULT_FEATURE_CACHE_MS,
  defaultLang: DEFAULT_OCR_LANG,
  modelOnTextPages: true,
});

export interface LayoutHandlerDeps {
  /** The bus whose pl-control holds the feature flags; the batch's bus when absent. */
  bus?: Bus;
  log?: Logger;
  /** Feature flags; by default the ControlPlane of pl-control. */
  features?: FeatureSource;
  settings?: Partial<LayoutSettings>;
  /** The PP-DocLayout backend; without it every page uses the text-layer heuristics (scans: OCR page mode). */
  detector?: DocLayoutDetector;
  /** Unloads the detector's model (pause, memory pressure). */
  release?: () => Promise<void>;
}

export function createLayoutHandler(deps: LayoutHandlerDeps = {}): StageHandler<PageTask> {
  const settings: LayoutSettings = { ...DEFAULT_LAYOUT_SETTINGS, ...deps.settings };
  let bus: Bus | undefined = deps.bus;
  const flags = new CachedFeatures(async () => deps.features ?? ControlPlane.open(bus!), settings.featureCacheMs);
  return {
    stage: 'layout',
    decode: (data) => decode(PageTaskSchema, data),
    docIdOf: (data) => data.docId,
    pageOf: (data) => data.page,
    async handleBatch(batch, ctx) {
      bus ??= ctx.bus;
      // pages are independent: their object-store reads overlap
      return Promise.all(
        batch.map(async (message): Promise<JobOutcome> => {
          try {
            return { outputs: await layoutMessage(message, ctx, flags, settings, deps.detector) };
          } catch (error) {
            return { error };
          }
        }),
      );
    },
    ...(deps.release ? { release: deps.release } : {}),
    status: () => ({ backend: deps.detector ? deps.detector.variant.modelId : 'text-layer' }),
  };
}

async function layoutMessage(message: StageMessage<PageTask>, ctx: BatchContext, flags: FeatureSource, settings: LayoutSettings, detector: DocLayoutDetector | undefined): Promise<Output[]> {
  const task = message.data;
  const started = performance.now();
  const features = effectiveFeatures(await flags.features(), task.options);
  const layer = task.textLayerInline ?? (task.textLayer ? decode(PageTextLayerSchema, await ctx.bus.getObject(ObjectStores.pages, task.textLayer)) : null);
  const wholePage = task.raster !== null && task.rasterContent !== 'images';
  const useModel = detector !== undefined && wholePage && (layer === null || settings.modelOnTextPages);
  const result = useModel
    ? modelLayout(task, layer, await detector.detect(await ctx.bus.getObject(ObjectStores.pages, task.raster!)), features)
    : layoutPage(task, layer, { features });

  if (result.crops.length > 0) {
    if (!task.raster) throw new PaperlineError('INVALID_MESSAGE', `page ${task.page} has figures but no raster`);
    const rasterObject = task.raster;
    const raster = await ctx.bus.getObject(ObjectStores.pages, rasterObject);
    const crops = await cropRaster(raster, result.crops.map((c) => c.bbox), task, task.rasterBox);
    await Promise.all(
      result.crops.map(async (crop, i) => {
        const png = crops[i];
        // a crop that is the raster itself (a page's one figure in its image layer) is not stored twice
        if (png && png !== raster) await ctx.bus.putObject(ObjectStores.pages, crop.object, png);
        const image = png === raster ? rasterObject : png ? crop.object : undefined;
        for (const target of [result.blocks.find((b) => b.id === crop.blockId), result.regions.find((r) => r.regionId === crop.blockId)]) {
          if (!target) continue;
          if (image) target.image = image;
          else delete target.image;
        }
      }),
    );
  }
  if (result.regions.some((r) => r.stage === 'ocr') && !task.raster) {
    throw new PaperlineError('INVALID_MESSAGE', `page ${task.page} has neither a text layer nor a raster`);
  }
  // a raster of only the page's images shows no table: the table stage then reads words and rulings alone
  const pageRaster = task.rasterContent === 'images' ? null : task.raster;

  const outputs: Output[] = [
    {
      subject: Subjects.work('assemble', task.options.priority),
      msgId: MsgIds.layout(task.docId, task.page),
      data: encode(PageLayoutSchema, {
        v: SCHEMA_VERSION,
        type: 'layout',
        docId: task.docId,
        page: task.page,
        pageCount: task.pageCount,
        width: task.width,
        height: task.height,
        blocks: result.blocks,
        pendingRegions: result.regions.map((r) => ({ regionId: r.regionId, stage: r.stage })),
        options: task.options,
      }),
    },
    ...result.regions.map((region) => ({
      subject: Subjects.work(region.stage, task.options.priority),
      msgId: MsgIds.regionTask(task.docId, task.page, region.regionId, region.stage),
      data: encode(RegionTaskSchema, {
        v: SCHEMA_VERSION,
        docId: task.docId,
        page: task.page,
        regionId: region.regionId,
        type: region.type,
        bbox: region.bbox,
        order: region.order,
        mode: region.mode,
        width: task.width,
        height: task.height,
        dpi: task.dpi,
        // an image layer shows the pictures only (a table's or formula's pixels would be blank), and
        // maybe only part of the page: a chart reads its crop (`image`)
        raster: pageRaster,
        lang: task.options.lang ?? settings.defaultLang,
        ...(region.runs ? { runs: region.runs } : {}),
        ...(region.rulings ? { rulings: region.rulings } : {}),
        options: task.options,
        ...(region.words ? { words: region.words } : {}),
        ...(region.caption ? { caption: region.caption } : {}),
        ...(region.image ? { image: region.image } : {}),
        ...(region.routes ? { routes: region.routes } : {}),
      }),
    })),
  ];
  message.log.debug(
    { backend: result.backend, blocks: result.blocks.length, regions: result.regions.length, crops: result.crops.length, durationMs: Math.round(performance.now() - started) },
    'laid out',
  );
  return outputs;
}
