// Runs the chart stage standalone: `tsx services/chart/src/main.ts` (config from env, see chartSchema).
import { runStageModule } from '@paperline/stage-host';
import { chartStage } from './stage.js';

await runStageModule(chartStage);
