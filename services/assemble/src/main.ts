// Runs the assemble stage standalone: `tsx services/assemble/src/main.ts` (config from env: NATS_URL, PL_*).
import { runStageModule } from '@paperline/stage-host';
import { assembleStage } from './stage.js';

await runStageModule(assembleStage);
