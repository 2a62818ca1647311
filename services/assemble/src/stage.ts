// The assemble stage as a StageModule: the standalone process (main.ts) and the embedded pipeline
// both run it.
import { baseSchema, loadConfig, type LoadOptions } from '@paperline/config';
import type { AssembleMessage } from '@paperline/contracts';
import type { StageDescription, StageHostConfig, StageModule } from '@paperline/stage-host';
import { createAssembleHandler } from './handler.js';
import { PageProgress } from './page-progress.js';

/** Model-free: the same backend with any config. */
const ASSEMBLE_BACKEND: StageDescription = { backend: 'reading-order', models: [] };

/**
 * Results per batch: each is a few KV writes, so a larger batch amortises the round trips. No
 * wait for a partial batch: results pile up while a batch runs, and a document's last one would
 * only wait to complete it.
 */
const ASSEMBLE_RUNTIME = { batchSize: 16, maxInflightBatches: 1, maxBatchWaitMs: 0 };

export const assembleStage: StageModule<AssembleMessage, StageHostConfig> = {
  stage: 'assemble',
  schema: baseSchema,
  loadConfig: (options?: LoadOptions) => loadConfig(baseSchema, options),
  runtime: () => ASSEMBLE_RUNTIME,
  plan: () => ASSEMBLE_BACKEND,
  create: async ({ bus, jobs }) => ({
    handler: createAssembleHandler({ bus, jobs, pages: await PageProgress.open(bus, jobs) }),
    describe: () => ASSEMBLE_BACKEND,
  }),
};
