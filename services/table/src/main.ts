// Runs the table stage standalone: `tsx services/table/src/main.ts` (config from env, see tableSchema).
import { runStageModule } from '@paperline/stage-host';
import { tableStage } from './stage.js';

await runStageModule(tableStage);
