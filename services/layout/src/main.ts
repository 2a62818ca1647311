// Runs the layout stage standalone: `tsx services/layout/src/main.ts` (config from env, see layoutSchema).
// A terminal failure (a malformed page task) fails the document in pl-jobs.
import { failDocumentOnDeadLetter, JobStore } from '@paperline/jobs';
import { Bus } from '@paperline/bus';
import { runStageProcess } from '@paperline/stage';
import { createLogger } from '@paperline/telemetry';
import { loadLayoutConfig } from './config.js';
import { createLayoutHandler } from './handler.js';

const config = loadLayoutConfig();
const log = createLogger({ level: config.log.level, base: { service: 'layout', instance: config.instance.id } });
const url: string = config.nats.url;
if (!url) {
  log.fatal('NATS_URL is required: a standalone stage joins a running paperline cluster');
  process.exit(2);
}
const servers = url.split(',');
// the job store has a connection of its own, so it outlives the stage's drain at shutdown
const jobsBus = await Bus.connect({ servers, name: `${config.nats.name}-layout-jobs`, log });
const jobs = await JobStore.open(jobsBus);
const handler = createLayoutHandler({
  log,
  settings: { featureCacheMs: config.layout.featureCacheMs, defaultLang: config.layout.defaultLang as 'en' | 'ch' },
});
await runStageProcess({
  handler: failDocumentOnDeadLetter(handler, jobs),
  options: { stage: 'layout', instance: config.instance.id, health: config.health.port < 0 ? false : { port: config.health.port, host: config.health.host } },
  nats: { servers, name: `${config.nats.name}-layout` },
  log,
  exit: (code) => void jobsBus.close().finally(() => process.exit(code)),
});
