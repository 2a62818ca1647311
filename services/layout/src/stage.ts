// The layout stage as a StageModule: the standalone process (main.ts) and the embedded pipeline
// both run it. With a PP-DocLayout model installed (or named), the model loads through the
// ModelManager under the device's memory budget, is held only while a page runs, unloads when idle
// and is released when the stage pauses; without one the stage owns no model and uses the
// text-layer heuristics (scans: OCR page mode).
import type { Bus } from '@paperline/bus';
import { PaperlineError, type Language, type PageTask } from '@paperline/contracts';
import { compileMemorySettings } from '@paperline/memory';
import { createModelRuntime, Manifest, type ModelRuntime, type RuntimeHooks } from '@paperline/models';
import type { StageDescription, StageModule } from '@paperline/stage-host';
import type { StageHandler } from '@paperline/stage';
import type { Logger, Metrics } from '@paperline/telemetry';
import { LAYOUT_MODEL_PREFERENCE, layoutSchema, loadLayoutConfig, type LayoutConfig } from './config.js';
import { DocLayoutDetector, docLayoutVariant } from './doclayout-detector.js';
import { createLayoutHandler } from './handler.js';

/**
 * Pages per batch, and two batches at once: a text page is cheap, its object-store reads are not.
 * No wait for a partial batch: pages are laid out each on its own, so waiting only delays them.
 */
const LAYOUT_RUNTIME = { batchSize: 8, maxInflightBatches: 2, maxBatchWaitMs: 0 };

export interface LayoutStageDeps {
  bus: Bus;
  config: LayoutConfig;
  hooks: RuntimeHooks;
  log?: Logger;
  metrics?: Metrics;
}

export interface LayoutStage {
  readonly handler: StageHandler<PageTask>;
  /** Absent when no layout model is used. */
  readonly models: ModelRuntime | undefined;
  close(): Promise<void>;
  describe(): StageDescription;
}

/** The layout model the config asks for: a named one must be in the manifest; `auto` takes the first installed. */
export async function chooseLayoutModel(config: Pick<LayoutConfig, 'layout' | 'models'>): Promise<string | undefined> {
  const wanted = config.layout.model;
  if (wanted === 'none') return undefined;
  const manifest = await Manifest.load(config.models.manifest, config.models.dir ? { modelsDir: config.models.dir } : {});
  if (wanted !== 'auto') {
    const spec = manifest.get(wanted);
    if (spec.stage !== 'layout') throw new PaperlineError('MODEL_UNAVAILABLE', `PL_LAYOUT_MODEL=${wanted} is a ${spec.stage} model`);
    return wanted;
  }
  return LAYOUT_MODEL_PREFERENCE.find((id) => manifest.models.some((m) => m.id === id && manifest.isPresent(m)));
}

export async function createLayoutStage(deps: LayoutStageDeps): Promise<LayoutStage> {
  const { config, log } = deps;
  const settings = { featureCacheMs: config.layout.featureCacheMs, defaultLang: config.layout.defaultLang as Language, modelOnTextPages: config.layout.modelOnTextPages };
  const modelId = await chooseLayoutModel(config);
  if (!modelId) {
    log?.info({ backend: 'text-layer' }, 'no layout model installed: text-layer heuristics, OCR page mode for scans');
    return {
      handler: createLayoutHandler({ bus: deps.bus, log, settings }),
      models: undefined,
      close: async () => undefined,
      describe: () => ({ backend: 'text-layer', models: [] }),
    };
  }
  const models = await createModelRuntime({
    memory: compileMemorySettings(config),
    models: config.models,
    bus: deps.bus,
    stage: 'layout',
    instance: config.instance.id,
    node: config.instance.node,
    hooks: deps.hooks,
    sessions: { intraOpThreads: config.layout.threads, session: { executionMode: 'sequential', interOpNumThreads: 1 } },
    log,
    metrics: deps.metrics,
  });
  const detector = new DocLayoutDetector(models.manager, docLayoutVariant(models.manifest.get(modelId)), {
    scoreThreshold: config.layout.scoreThreshold,
    overlapIou: config.layout.overlapIou,
    containedShare: 0.9,
  });
  log?.info({ backend: modelId }, 'layout model backend');
  return {
    handler: createLayoutHandler({ bus: deps.bus, log, settings, detector, release: () => models.manager.unloadAll('layout release') }),
    models,
    close: () => models.close(),
    describe: () => ({ backend: modelId, models: [modelId] }),
  };
}

export const layoutStage: StageModule<PageTask, LayoutConfig> = {
  stage: 'layout',
  schema: layoutSchema,
  loadConfig: loadLayoutConfig,
  runtime: () => LAYOUT_RUNTIME,
  create: ({ bus, config, log, metrics, hooks }) => createLayoutStage({ bus, config, log, metrics, hooks }),
  plan: async (config) => {
    const modelId = await chooseLayoutModel(config);
    return modelId ? { backend: modelId, models: [modelId] } : { backend: 'text-layer', models: [] };
  },
};
