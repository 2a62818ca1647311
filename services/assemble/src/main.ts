// Runs the assemble stage standalone: `tsx services/assemble/src/main.ts` (config from env: NATS_URL, PL_*).
import { baseSchema, loadConfig } from '@paperline/config';
import { runStandaloneStage } from '@paperline/jobs';
import { createAssembleHandler } from './handler.js';

await runStandaloneStage({
  stage: 'assemble',
  config: loadConfig(baseSchema),
  runtime: { batchSize: 16 },
  create: ({ bus, jobs }) => ({ handler: createAssembleHandler({ bus, jobs }) }),
});
