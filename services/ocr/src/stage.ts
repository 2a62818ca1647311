// The ocr stage as a StageModule: models through the ModelManager and the memory budget (with the
// memory guard), the engine, and the stage handler. The standalone process (main.ts) and the
// embedded pipeline both run it; the model load is lazy, so the stage is ready before any model.
import type { Language, RegionTask } from '@paperline/contracts';
import { compileMemorySettings } from '@paperline/memory';
import { createModelRuntime } from '@paperline/models';
import type { StageDescription, StageModule } from '@paperline/stage-host';
import { loadOcrConfig, ocrSchema, type OcrConfig } from './config.js';
import { CLS_MODEL, OCR_MODELS, OcrEngine } from './engine.js';
import { createOcrHandler } from './handler.js';
import { managedModels, ocrSessionOptions } from './model-loader.js';

/** PP-OCR's detector and recogniser for the configured language, and the angle classifier when used. */
function ocrPlan(config: OcrConfig): StageDescription {
  const lang = config.ocr.lang as Language;
  return { backend: 'pp-ocr', models: [OCR_MODELS[lang].det, OCR_MODELS[lang].rec, ...(config.ocr.useCls ? [CLS_MODEL] : [])] };
}

export const ocrStage: StageModule<RegionTask, OcrConfig> = {
  stage: 'ocr',
  schema: ocrSchema,
  loadConfig: loadOcrConfig,
  // one batch at a time: an inference already uses every intra-op thread
  runtime: (config) => ({ batchSize: config.ocr.batchSize, maxInflightBatches: 1 }),
  plan: ocrPlan,
  async create({ bus, config, log, metrics, hooks }) {
    const models = await createModelRuntime({
      memory: compileMemorySettings(config),
      models: config.models,
      bus,
      stage: 'ocr',
      instance: config.instance.id,
      node: config.instance.node,
      hooks,
      sessions: ocrSessionOptions(config.ocr.threads, config.ocr.memArena),
      log,
      metrics,
    });
    const lang = config.ocr.lang as Language;
    const engine = new OcrEngine(managedModels(models.manager), {
      lang,
      useCls: config.ocr.useCls,
      detector: { limitSide: config.ocr.detLimitSide, unclipRatio: config.ocr.unclipRatio, cropUnclipRatio: config.ocr.cropUnclipRatio },
      recognizer: { batchSize: config.ocr.recBatchSize },
    });
    return {
      handler: createOcrHandler({ engine, defaultLang: lang }),
      close: () => models.close(),
      describe: () => ocrPlan(config),
    };
  },
};
