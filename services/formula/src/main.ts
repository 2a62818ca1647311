// Runs the formula stage standalone: `tsx services/formula/src/main.ts` (config from env, see formulaSchema).
import { runStageModule } from '@paperline/stage-host';
import { formulaStage } from './stage.js';

await runStageModule(formulaStage);
