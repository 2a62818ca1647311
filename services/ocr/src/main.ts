// Runs the OCR stage standalone: `tsx services/ocr/src/main.ts` (config from env, see ocrSchema).
// Models go through the ModelManager and the memory budget; the memory guard can suspend the stage
// or recycle the process (exit 75).
import { runStageModule } from '@paperline/stage-host';
import { ocrStage } from './stage.js';

await runStageModule(ocrStage);
