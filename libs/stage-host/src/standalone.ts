import { Bus, natsAuthFromSettings } from '@paperline/bus';
import { JetStreamExporter } from '@paperline/jetstream-metrics';
import { JobStore } from '@paperline/jobs';
import { EXIT_RECYCLE, runStageProcess, type StageProcess } from '@paperline/stage';
import { createLogger, getMetrics } from '@paperline/telemetry';
import { hostedHandler } from './fail-on-dead-letter.js';
import { startPresence, type Presence } from './presence.js';
import type { StageHostConfig, StageModule } from './types.js';

/**
 * A stage service's process (`services/<stage>/src/main.ts` is `await runStageModule(module)`):
 * loads the stage's config from env, joins the cluster at NATS_URL, runs the stage with failures
 * reported to the document, drains on SIGTERM/SIGINT, exits 75 when the memory guard asks for a
 * fresh process.
 */
export async function runStageModule<T, C extends StageHostConfig>(module: StageModule<T, C>): Promise<void> {
  const { stage } = module;
  const config = module.loadConfig();
  const log = createLogger({ level: config.log.level, base: { service: stage, instance: config.instance.id } });
  if (!config.nats.url) {
    log.fatal('NATS_URL is required: a standalone stage joins a running paperline cluster');
    process.exit(2);
  }
  const servers = config.nats.url.split(',');
  const auth = natsAuthFromSettings(config.nats);
  const bus = await Bus.connect({ servers, name: `${config.nats.name}-${stage}-side`, asyncTraces: config.nats.asyncTraces, auth, inboxPrefix: config.nats.inboxPrefix, log });
  // a stage acts on what it does not find in pl-jobs (assemble drops the result of an unknown document)
  const jobs = await JobStore.open(bus, { reads: 'leader' });
  // every stage process also reports the server's view of every consumer, so the lag of a stage
  // with no process of its own is still scraped (aggregate with max: they all report the same)
  const jetstream = new JetStreamExporter({ jsm: bus.jsm, metrics: getMetrics(), log });
  jetstream.start();
  const running: { process?: StageProcess<T>; presence?: Presence } = {};
  const instance = await module.create({
    bus,
    jobs,
    log,
    config,
    metrics: getMetrics(),
    hooks: {
      suspend: (reason) => running.process?.runtime.suspend(reason),
      resume: () => running.process?.runtime.unsuspend(),
      recycle: async (reason) => {
        await running.process?.requestExit(EXIT_RECYCLE, reason);
      },
    },
  });
  const hosted = hostedHandler(instance, jobs, config.cancel);
  const started = runStageProcess({
    handler: hosted.handler,
    options: {
      ...module.runtime?.(config),
      stage,
      instance: config.instance.id,
      health: config.health.port < 0 ? false : { port: config.health.port, host: config.health.host },
    },
    nats: { servers, name: `${config.nats.name}-${stage}`, asyncTraces: config.nats.asyncTraces, auth, inboxPrefix: config.nats.inboxPrefix },
    // least-privilege credentials cannot create streams: an admin provisions (`paperline provision`)
    ...(config.nats.provision ? {} : { topology: false as const }),
    log,
    exit: (code) =>
      void (jetstream.stop(), hosted.stop(), running.presence?.stop() ?? Promise.resolve())
        .then(() => instance.close?.())
        .catch((error: unknown) => log.warn({ err: error }, 'stage close failed'))
        .finally(() => void bus.close().finally(() => process.exit(code))),
  });
  try {
    running.process = await started;
  } catch {
    // logged as 'stage failed to start' (a health port in use, say), and its exit with code 1 is under way
    return;
  }
  running.presence = await startPresence({ bus, stage, instance: config.instance.id, node: config.instance.node, describe: () => instance.describe?.(), log });
}
