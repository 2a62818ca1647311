// Runs the layout stage standalone: `tsx services/layout/src/main.ts` (config from env, see layoutSchema).
// With a layout model its memory goes through the ModelManager and the budget; the memory guard can
// suspend the stage or recycle the process (exit 75).
import { runStandaloneStage } from '@paperline/jobs';
import { EXIT_RECYCLE } from '@paperline/stage';
import type { PageTask } from '@paperline/contracts';
import { loadLayoutConfig } from './config.js';
import { createLayoutStage } from './stage.js';

const config = loadLayoutConfig();
await runStandaloneStage<PageTask>({
  stage: 'layout',
  config,
  create: ({ bus, log, running }) =>
    createLayoutStage({
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
