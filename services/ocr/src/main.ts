// Runs the OCR stage standalone: `tsx services/ocr/src/main.ts` (config from env, see ocrSchema).
// A terminal failure (an undecodable raster) fails the document in pl-jobs.
import { Bus } from '@paperline/bus';
import { failDocumentOnDeadLetter, JobStore } from '@paperline/jobs';
import { runStageProcess } from '@paperline/stage';
import { createLogger } from '@paperline/telemetry';
import { loadOcrConfig } from './config.js';
import { OcrEngine } from './engine.js';
import { createOcrHandler } from './handler.js';
import { createOnnxModelLoader } from './model-loader.js';

const config = loadOcrConfig();
const log = createLogger({ level: config.log.level, base: { service: 'ocr', instance: config.instance.id } });
const url: string = config.nats.url;
if (!url) {
  log.fatal('NATS_URL is required: a standalone stage joins a running paperline cluster');
  process.exit(2);
}
const servers = url.split(',');
const jobsBus = await Bus.connect({ servers, name: `${config.nats.name}-ocr-jobs`, log });
const jobs = await JobStore.open(jobsBus);
const lang = config.ocr.lang as 'en' | 'ch';
const engine = new OcrEngine(createOnnxModelLoader({ intraOpThreads: config.ocr.threads }), {
  lang,
  useCls: config.ocr.useCls,
  detector: { limitSide: config.ocr.detLimitSide, unclipRatio: config.ocr.unclipRatio, cropUnclipRatio: config.ocr.cropUnclipRatio },
  recognizer: { batchSize: config.ocr.recBatchSize },
});
await runStageProcess({
  handler: failDocumentOnDeadLetter(createOcrHandler({ engine, defaultLang: lang }), jobs),
  options: {
    stage: 'ocr',
    instance: config.instance.id,
    batchSize: config.ocr.batchSize,
    health: config.health.port < 0 ? false : { port: config.health.port, host: config.health.host },
  },
  nats: { servers, name: `${config.nats.name}-ocr` },
  log,
  exit: (code) => void jobsBus.close().finally(() => process.exit(code)),
});
