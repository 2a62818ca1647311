// Runs the OCR stage standalone: `tsx services/ocr/src/main.ts` (config from env, see ocrSchema).
// Models go through the ModelManager and the memory budget; the memory guard can suspend the stage
// or recycle the process (exit 75).
import { runStandaloneStage } from '@paperline/jobs';
import { EXIT_RECYCLE } from '@paperline/stage';
import type { RegionTask } from '@paperline/contracts';
import { loadOcrConfig } from './config.js';
import { createOcrStage } from './stage.js';

const config = loadOcrConfig();
await runStandaloneStage<RegionTask>({
  stage: 'ocr',
  config,
  runtime: { batchSize: config.ocr.batchSize },
  create: ({ bus, log, running }) =>
    createOcrStage({
      bus,
      config,
      log,
      hooks: {
        suspend: (reason) => running.process?.runtime.suspend(reason),
        resume: () => running.process?.runtime.unsuspend(),
        recycle: async (reason) => {
          await running.process?.requestExit(EXIT_RECYCLE, reason);
        },
      },
    }),
});
