// Runs the formula stage standalone: `tsx services/formula/src/main.ts` (config from env, see formulaSchema).
// With a formula model its memory goes through the ModelManager and the budget; the memory guard can
// suspend the stage or recycle the process (exit 75).
import { runStandaloneStage } from '@paperline/jobs';
import { EXIT_RECYCLE } from '@paperline/stage';
import type { RegionTask } from '@paperline/contracts';
import { loadFormulaConfig } from './config.js';
import { createFormulaStage } from './stage.js';

const config = loadFormulaConfig();
await runStandaloneStage<RegionTask>({
  stage: 'formula',
  config,
  runtime: { batchSize: config.formula.batchSize },
  create: ({ bus, log, running }) =>
    createFormulaStage({
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
