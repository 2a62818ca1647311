// Runs the render stage standalone: `tsx services/render/src/main.ts` (config from env, see renderSchema).
import { runStageModule } from '@paperline/stage-host';
import { renderStage } from './stage.js';

await runStageModule(renderStage);
