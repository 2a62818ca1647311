// The layout stage as a StageModule: the standalone process (main.ts) and the embedded pipeline
// both run it.
import type { Language, PageTask } from '@paperline/contracts';
import type { StageModule } from '@paperline/stage-host';
import { layoutSchema, loadLayoutConfig, type LayoutConfig } from './config.js';
import { createLayoutHandler } from './handler.js';

/** Pages per batch, and two batches at once: a text page is cheap, its object-store reads are not. */
const LAYOUT_RUNTIME = { batchSize: 8, maxInflightBatches: 2 };

export const layoutStage: StageModule<PageTask, LayoutConfig> = {
  stage: 'layout',
  schema: layoutSchema,
  loadConfig: loadLayoutConfig,
  runtime: () => LAYOUT_RUNTIME,
  create: ({ bus, config, log }) => ({
    handler: createLayoutHandler({ bus, log, settings: { featureCacheMs: config.layout.featureCacheMs, defaultLang: config.layout.defaultLang as Language } }),
    describe: () => ({ backend: 'text-layer', models: [] }),
  }),
};
