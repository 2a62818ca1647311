import type { StageName } from '@paperline/contracts';
import { Bus, buildTopology, provisionTopology, type TopologyOptions } from '@paperline/bus';
import { JetStreamExporter } from '@paperline/jetstream-metrics';
import { JobStore } from '@paperline/jobs';
import { startLocalServer, type LocalServer } from '@paperline/nats-server';
import { HealthServer, type StageOptions, type StageRuntime } from '@paperline/stage';
import { startEmbeddedStage, type EmbeddedStage } from '@paperline/stage-host';
import { getMetrics, silentLogger, type Logger } from '@paperline/telemetry';
import { loadStageModule, MODULE_STAGES, type ModuleStage } from './stage-modules.js';

/**
 * The embedded nats-server runs its Go code on one thread: it shares the machine with every stage
 * of the pipeline, and on 2 cores one thread spent about 1 ms less server CPU per text-layer page
 * than Go's default of one per core (4.5-4.8 against 5.5-5.9 ms in bench:parse), which went on
 * waking and parking its threads. GOMAXPROCS in the environment still sets it.
 */
const EMBEDDED_SERVER_MAX_PROCS = 1;

/** Per-stage configuration overrides, in each stage's own convict section (e.g. `{ render: { maxPages: 50 } }`). */
export type PipelineOverrides = Partial<Record<ModuleStage, Record<string, unknown>>>;

export interface LocalPipelineOptions {
  /** Use this cluster; without it a nats-server is started in a temporary directory. */
  natsUrl?: string;
  log?: Logger;
  /** @default every stage of STAGE_MODULES */
  stages?: readonly ModuleStage[];
  /** Per-stage settings over their defaults and env. */
  overrides?: PipelineOverrides;
  /** Runtime options per stage (batch size, concurrency, grace) over the modules' defaults. */
  runtime?: Partial<Record<ModuleStage, Partial<StageOptions>>>;
  topology?: TopologyOptions;
  /** Serve /healthz, /readyz, /metrics, /status for all stages on this port; -1 disables. @default -1 */
  healthPort?: number;
}

export interface LocalPipeline {
  readonly url: string;
  /** The embedded nats-server's pid, when this pipeline started one. */
  readonly serverPid: number | undefined;
  readonly runtimes: ReadonlyMap<StageName, StageRuntime<unknown>>;
  close(): Promise<void>;
}

/**
 * The embedded default: one process runs every stage module on one NATS connection (its own
 * nats-server when no URL is given), with the same modules as the standalone services.
 */
export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const log = options.log ?? silentLogger();
  let server: LocalServer | undefined;
  let url = options.natsUrl;
  if (!url) {
    server = await startLocalServer({ maxProcs: EMBEDDED_SERVER_MAX_PROCS });
    url = server.url;
    log.debug({ url, version: server.version }, 'embedded nats-server started');
  }
  const stages: EmbeddedStage[] = [];
  const runtimes = new Map<StageName, StageRuntime<unknown>>();
  let bus: Bus | undefined;
  let health: HealthServer | undefined;
  let jetstream: JetStreamExporter | undefined;
  const close = async () => {
    for (const stage of stages.reverse()) {
      try {
        await stage.close();
      } catch (error) {
        log.warn({ err: error }, 'stage close failed');
      }
    }
    jetstream?.stop();
    await health?.close().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    await server?.stop();
  };
  try {
    bus = await Bus.connect({ servers: url, name: 'paperline-local', log, waitOnFirstConnect: false });
    await provisionTopology(bus.nc, buildTopology(options.topology), { log });
    // the stages' store: it acts on what it does not find (see JobStore.open)
    const jobs = await JobStore.open(bus, { reads: 'leader' });
    if ((options.healthPort ?? -1) >= 0) {
      health = new HealthServer({ port: options.healthPort, registry: getMetrics().registry, log });
      await health.start();
      // the server's view of lag and storage beside the stages' own, as the gateway serves it in a deployment
      jetstream = new JetStreamExporter({ jsm: bus.jsm, metrics: getMetrics(), log });
      jetstream.start();
    }
    for (const name of options.stages ?? MODULE_STAGES) {
      const overrides = options.overrides?.[name];
      const stage = await startEmbeddedStage(await loadStageModule(name), {
        bus,
        jobs,
        log,
        healthServer: health,
        config: overrides ? { overrides: { [name]: overrides } } : undefined,
        runtime: options.runtime?.[name],
      });
      stages.push(stage);
      runtimes.set(name, stage.runtime);
    }
  } catch (error) {
    await close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    serverPid: server?.pid,
    runtimes,
    close: () => (closing ??= close()),
  };
}
