// Runs the table stage standalone: `tsx services/table/src/main.ts` (config from env, see tableSchema).
import { runStandaloneStage } from '@paperline/jobs';
import { EXIT_RECYCLE } from '@paperline/stage';
import type { RegionTask } from '@paperline/contracts';
import { loadTableConfig } from './config.js';
import { createTableStage } from './stage.js';

const config = loadTableConfig();
await runStandaloneStage<RegionTask>({
  stage: 'table',
  config,
  runtime: { batchSize: config.table.batchSize },
  create: ({ bus, log, running }) =>
    createTableStage({
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
