import type { StageName } from '@paperline/contracts';
import { Bus, buildTopology, provisionTopology, type TopologyOptions } from '@paperline/bus';
import { JobStore } from '@paperline/jobs';
import { startLocalServer, type LocalServer } from '@paperline/nats-server';
import { HealthServer, StageRuntime, type StageOptions } from '@paperline/stage';
import { getMetrics, silentLogger, type Logger } from '@paperline/telemetry';
import { createStageHandlers, type PipelineOverrides, type StageHandlers } from './stages.js';

/** The stages of the main job; formula joins once it has a service. */
export const LOCAL_STAGES = ['render', 'layout', 'ocr', 'table', 'chart', 'assemble'] as const satisfies readonly StageName[];

export interface LocalPipelineOptions {
  /** Use this cluster; without it a nats-server is started in a temporary directory. */
  natsUrl?: string;
  log?: Logger;
  stages?: readonly StageName[];
  /** Per-stage settings (e.g. `{ render: { maxPages: 50 } }`) over their defaults and env. */
  overrides?: PipelineOverrides;
  /** Runtime options per stage (batch size, concurrency, grace). */
  runtime?: Partial<Record<StageName, Partial<StageOptions>>>;
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

/** Default runtime settings of the embedded mode: inference stages batch more, I/O stages run concurrently. */
const EMBEDDED_RUNTIME: Partial<Record<StageName, Partial<StageOptions>>> = {
  render: { batchSize: 1, maxInflightBatches: 2 },
  layout: { batchSize: 8, maxInflightBatches: 2 },
  ocr: { batchSize: 4, maxInflightBatches: 1 },
  table: { batchSize: 4, maxInflightBatches: 1 },
  chart: { batchSize: 8, maxInflightBatches: 1 },
  assemble: { batchSize: 16, maxInflightBatches: 1 },
};

/**
 * The embedded default: one process runs every stage on one NATS connection (its own
 * nats-server when no URL is given), the same runtimes and handlers as the standalone services.
 */
export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const log = options.log ?? silentLogger();
  let server: LocalServer | undefined;
  let url = options.natsUrl;
  if (!url) {
    server = await startLocalServer();
    url = server.url;
    log.debug({ url, version: server.version }, 'embedded nats-server started');
  }
  const runtimes = new Map<StageName, StageRuntime<unknown>>();
  let bus: Bus | undefined;
  let health: HealthServer | undefined;
  let handlers: StageHandlers | undefined;
  const close = async () => {
    for (const runtime of [...runtimes.values()].reverse()) {
      try {
        await runtime.close();
      } catch (error) {
        log.warn({ err: error }, 'stage close failed');
      }
    }
    await handlers?.teardown().catch((error: unknown) => log.warn({ err: error }, 'teardown failed'));
    await health?.close().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    await server?.stop();
  };
  try {
    bus = await Bus.connect({ servers: url, name: 'paperline-local', log, waitOnFirstConnect: false });
    await provisionTopology(bus.nc, buildTopology(options.topology), { log });
    const jobs = await JobStore.open(bus);
    if ((options.healthPort ?? -1) >= 0) {
      health = new HealthServer({ port: options.healthPort, registry: getMetrics().registry, log });
      await health.start();
    }
    handlers = await createStageHandlers({ bus, jobs, log, overrides: options.overrides ?? {}, runtimeOf: (stage) => runtimes.get(stage) });
    for (const stage of options.stages ?? LOCAL_STAGES) {
      const handler = handlers.get(stage);
      const runtime = new StageRuntime<unknown>(handler, { stage, ...EMBEDDED_RUNTIME[stage], ...options.runtime?.[stage] }, { bus, log, healthServer: health });
      runtimes.set(stage, runtime);
      await runtime.start();
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
