import type { StageName } from '@paperline/contracts';
import { Bus, natsAuthFromSettings, type NatsAuthSettings } from '@paperline/bus';
import { runStageProcess, type StageHandler, type StageOptions, type StageProcess } from '@paperline/stage';
import { createLogger, type Logger } from '@paperline/telemetry';
import { dropCancelledDocuments } from './cancel.js';
import { failDocumentOnDeadLetter } from './fail-on-dead-letter.js';
import { JobStore } from './job-store.js';

/** The settings every stage's config has (the base schema of @paperline/config). */
export interface StandaloneConfig {
  nats: { url: string; name: string; asyncTraces: boolean; provision: boolean; inboxPrefix: string } & NatsAuthSettings;
  instance: { id: string };
  log: { level: string };
  health: { port: number; host: string };
}

export interface StandaloneStageDeps<T> {
  /** A connection of its own: it outlives the stage's drain at shutdown (job updates, model leases). */
  bus: Bus;
  jobs: JobStore;
  log: Logger;
  /** The running process, once it runs (for the memory guard's suspend and recycle). */
  running: { process?: StageProcess<T> };
}

export interface StandaloneStage<T> {
  handler: StageHandler<T>;
  /** Run after the stage drained, before exit (unload models, delete leases). */
  close?(): Promise<void>;
}

export interface StandaloneStageOptions<T> {
  stage: StageName;
  config: StandaloneConfig;
  create(deps: StandaloneStageDeps<T>): Promise<StandaloneStage<T>> | StandaloneStage<T>;
  runtime?: Omit<StageOptions, 'stage' | 'instance' | 'health'>;
}

/**
 * A stage service's process (`services/<stage>/src/main.ts`): joins the cluster at NATS_URL, runs
 * the stage with failures reported to the document, drains on SIGTERM/SIGINT, exits 75 when the
 * memory guard asks for a fresh process.
 */
export async function runStandaloneStage<T>(options: StandaloneStageOptions<T>): Promise<void> {
  const { config, stage } = options;
  const log = createLogger({ level: config.log.level, base: { service: stage, instance: config.instance.id } });
  if (!config.nats.url) {
    log.fatal('NATS_URL is required: a standalone stage joins a running paperline cluster');
    process.exit(2);
  }
  const servers = config.nats.url.split(',');
  const auth = natsAuthFromSettings(config.nats);
  const bus = await Bus.connect({ servers, name: `${config.nats.name}-${stage}-side`, asyncTraces: config.nats.asyncTraces, auth, inboxPrefix: config.nats.inboxPrefix, log });
  const jobs = await JobStore.open(bus);
  const running: { process?: StageProcess<T> } = {};
  const built = await options.create({ bus, jobs, log, running });
  running.process = await runStageProcess({
    handler: failDocumentOnDeadLetter(dropCancelledDocuments(built.handler, jobs), jobs),
    options: {
      ...options.runtime,
      stage,
      instance: config.instance.id,
      health: config.health.port < 0 ? false : { port: config.health.port, host: config.health.host },
    },
    nats: { servers, name: `${config.nats.name}-${stage}`, asyncTraces: config.nats.asyncTraces, auth, inboxPrefix: config.nats.inboxPrefix },
    // least-privilege credentials cannot create streams: an admin provisions (`paperline provision`)
    ...(config.nats.provision ? {} : { topology: false as const }),
    log,
    exit: (code) =>
      void (built.close?.() ?? Promise.resolve())
        .catch((error: unknown) => log.warn({ err: error }, 'stage close failed'))
        .finally(() => void bus.close().finally(() => process.exit(code))),
  });
}
