// Runs the OCR stage standalone: `tsx services/ocr/src/main.ts` (config from env, see ocrSchema).
// Models go through the ModelManager and the memory budget; the memory guard can suspend the stage
// or recycle the process (exit 75). A terminal failure (an undecodable raster) fails the document.
import { Bus } from '@paperline/bus';
import { failDocumentOnDeadLetter, JobStore } from '@paperline/jobs';
import { EXIT_RECYCLE, runStageProcess, type StageProcess } from '@paperline/stage';
import { createLogger } from '@paperline/telemetry';
import type { RegionTask } from '@paperline/contracts';
import { loadOcrConfig } from './config.js';
import { createOcrStage } from './stage.js';

const config = loadOcrConfig();
const log = createLogger({ level: config.log.level, base: { service: 'ocr', instance: config.instance.id } });
const url: string = config.nats.url;
if (!url) {
  log.fatal('NATS_URL is required: a standalone stage joins a running paperline cluster');
  process.exit(2);
}
const servers = url.split(',');
const sideBus = await Bus.connect({ servers, name: `${config.nats.name}-ocr-models`, log });
const jobs = await JobStore.open(sideBus);
// the guard's levers reach the runtime, which exists only once the process runs
const running: { process?: StageProcess<RegionTask> } = {};
const ocr = await createOcrStage({
  bus: sideBus,
  config,
  log,
  hooks: {
    suspend: (reason) => running.process?.runtime.suspend(reason),
    resume: () => running.process?.runtime.unsuspend(),
    recycle: async (reason) => {
      await running.process?.requestExit(EXIT_RECYCLE, reason);
    },
  },
});
running.process = await runStageProcess({
  handler: failDocumentOnDeadLetter(ocr.handler, jobs),
  options: {
    stage: 'ocr',
    instance: config.instance.id,
    batchSize: config.ocr.batchSize,
    health: config.health.port < 0 ? false : { port: config.health.port, host: config.health.host },
  },
  nats: { servers, name: `${config.nats.name}-ocr` },
  log,
  exit: (code) =>
    void ocr
      .close()
      .catch((error: unknown) => log.warn({ err: error }, 'model teardown failed'))
      .finally(() => void sideBus.close().finally(() => process.exit(code))),
});
