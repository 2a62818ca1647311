// Runs the render stage standalone: `tsx services/render/src/main.ts` (config from env, see renderSchema).
// The page count goes to pl-jobs as soon as a document is open; a terminal failure fails the document.
import { failDocumentOnDeadLetter, JobStore } from '@paperline/jobs';
import { Bus } from '@paperline/bus';
import { runStageProcess } from '@paperline/stage';
import { createLogger } from '@paperline/telemetry';
import { loadRenderConfig, renderSettings } from './config.js';
import { createRenderHandler } from './handler.js';

const config = loadRenderConfig();
const log = createLogger({ level: config.log.level, base: { service: 'render', instance: config.instance.id } });
const url: string = config.nats.url;
if (!url) {
  log.fatal('NATS_URL is required: a standalone stage joins a running paperline cluster');
  process.exit(2);
}
const servers = url.split(',');
// the job store has a connection of its own, so it outlives the stage's drain at shutdown
const jobsBus = await Bus.connect({ servers, name: `${config.nats.name}-render-jobs`, log });
const jobs = await JobStore.open(jobsBus);
const handler = createRenderHandler({
  settings: renderSettings(config.render),
  onDocumentOpened: async (docId, pageCount) => {
    await jobs.setPageCount(docId, pageCount);
  },
});
await runStageProcess({
  handler: failDocumentOnDeadLetter(handler, jobs),
  options: { stage: 'render', instance: config.instance.id, health: config.health.port < 0 ? false : { port: config.health.port, host: config.health.host } },
  nats: { servers, name: `${config.nats.name}-render` },
  log,
  exit: (code) => void jobsBus.close().finally(() => process.exit(code)),
});
