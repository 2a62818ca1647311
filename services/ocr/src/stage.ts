// The ocr stage composed from its config: models through the ModelManager and the memory budget
// (with the memory guard), the engine, and the stage handler. The standalone process (main.ts)
// and the embedded pipeline both build the stage here.
import type { Bus } from '@paperline/bus';
import type { Language, RegionTask } from '@paperline/contracts';
import { compileMemorySettings } from '@paperline/memory';
import { createModelRuntime, type ModelRuntime, type RuntimeHooks } from '@paperline/models';
import type { StageHandler } from '@paperline/stage';
import type { Logger } from '@paperline/telemetry';
import type { OcrConfig } from './config.js';
import { OcrEngine } from './engine.js';
import { createOcrHandler } from './handler.js';
import { managedModels, ocrSessionOptions } from './model-loader.js';

export interface OcrStageDeps {
  bus: Bus;
  config: OcrConfig;
  /** The memory guard's levers: the runtime's suspend/unsuspend and the process's recycle. */
  hooks: RuntimeHooks;
  log?: Logger;
}

export interface OcrStage {
  readonly handler: StageHandler<RegionTask>;
  readonly models: ModelRuntime;
  /** Stops the guard, unloads the models and deletes their leases. */
  close(): Promise<void>;
}

export async function createOcrStage(deps: OcrStageDeps): Promise<OcrStage> {
  const { config } = deps;
  const models = await createModelRuntime({
    memory: compileMemorySettings(config),
    models: config.models,
    bus: deps.bus,
    stage: 'ocr',
    instance: config.instance.id,
    node: config.instance.node,
    hooks: deps.hooks,
    sessions: ocrSessionOptions(config.ocr.threads, config.ocr.memArena),
    log: deps.log,
  });
  const lang = config.ocr.lang as Language;
  const engine = new OcrEngine(managedModels(models.manager), {
    lang,
    useCls: config.ocr.useCls,
    detector: { limitSide: config.ocr.detLimitSide, unclipRatio: config.ocr.unclipRatio, cropUnclipRatio: config.ocr.cropUnclipRatio },
    recognizer: { batchSize: config.ocr.recBatchSize },
  });
  return { handler: createOcrHandler({ engine, defaultLang: lang }), models, close: () => models.close() };
}
