// Runs the layout stage standalone: `tsx services/layout/src/main.ts` (config from env, see layoutSchema).
import { runStageModule } from '@paperline/stage-host';
import { layoutStage } from './stage.js';

await runStageModule(layoutStage);
