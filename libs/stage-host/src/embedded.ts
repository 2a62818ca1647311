import type { Bus } from '@paperline/bus';
import type { LoadOptions } from '@paperline/config';
import type { JobStore } from '@paperline/jobs';
import { StageRuntime, type HealthServer, type StageOptions } from '@paperline/stage';
import { childLogger, getMetrics, type Logger, type Metrics } from '@paperline/telemetry';
import { hostedHandler } from './fail-on-dead-letter.js';
import { startPresence, type Presence } from './presence.js';
import type { StageDescription, StageHostConfig, StageModule } from './types.js';

export interface EmbeddedStageDeps {
  /** The process's one connection, shared by every stage in it. */
  bus: Bus;
  jobs: JobStore;
  log: Logger;
  /** @default the process registry (getMetrics()) */
  metrics?: Metrics;
  /** The process's shared /healthz, /readyz, /metrics, /status server, if any. */
  healthServer?: HealthServer;
  /** Over the stage's own config (e.g. `{ overrides: { ocr: { lang: 'en' } } }`). */
  config?: LoadOptions;
  /** Over the module's runtime defaults. */
  runtime?: Partial<StageOptions>;
}

export interface EmbeddedStage {
  readonly runtime: StageRuntime<unknown>;
  describe(): StageDescription | undefined;
  /** Drains the runtime, then closes the stage (models, leases). */
  close(): Promise<void>;
}

/**
 * Runs one stage module inside a process that hosts several (the CLI's embedded pipeline). The
 * memory guard can suspend and resume the stage; it cannot recycle it, since one process holds
 * every stage, so a recycle is logged instead.
 */
export async function startEmbeddedStage<T, C extends StageHostConfig>(module: StageModule<T, C>, deps: EmbeddedStageDeps): Promise<EmbeddedStage> {
  const { stage } = module;
  const config = module.loadConfig(deps.config);
  const log = childLogger(deps.log, { stage });
  let runtime: StageRuntime<T> | undefined;
  let presence: Presence | undefined;
  const instance = await module.create({
    bus: deps.bus,
    jobs: deps.jobs,
    log,
    config,
    metrics: deps.metrics ?? getMetrics(),
    hooks: {
      suspend: (reason) => runtime?.suspend(reason),
      resume: () => runtime?.unsuspend(),
      recycle: (reason) => log.error({ reason }, 'the memory guard asked for a recycle, which the embedded pipeline cannot do; run `paperline up` for supervised stages'),
    },
  });
  const hosted = hostedHandler(instance, deps.jobs, config.cancel);
  const closeInstance = () => {
    hosted.stop();
    return instance.close?.().catch((error: unknown) => log.warn({ err: error }, 'stage close failed'));
  };
  try {
    runtime = new StageRuntime(hosted.handler, { ...module.runtime?.(config), ...deps.runtime, stage }, { bus: deps.bus, log: deps.log, metrics: deps.metrics, healthServer: deps.healthServer });
    await runtime.start();
    presence = await startPresence({ bus: deps.bus, stage, instance: config.instance.id, node: config.instance.node, describe: () => instance.describe?.(), log });
  } catch (error) {
    await runtime?.close().catch(() => undefined);
    await closeInstance();
    throw error;
  }
  const started = runtime;
  return {
    runtime: started as StageRuntime<unknown>,
    describe: () => instance.describe?.(),
    async close() {
      await started.close();
      await presence?.stop();
      await closeInstance();
    },
  };
}
