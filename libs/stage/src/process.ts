import { Bus, buildTopology, provisionTopology, type NatsAuth, type TopologyOptions } from '@paperline/bus';
import { createLogger, type Logger } from '@paperline/telemetry';
import { compileStageOptions, type StageOptions } from './options.js';
import { StageRuntime } from './runtime.js';
import type { StageHandler } from './types.js';

/** Exit code asking the supervisor or orchestrator for a fresh process (memory recycle). */
export const EXIT_RECYCLE = 75;
/** Past the grace period, shutdown gets this much longer for release and drain before a forced exit. */
export const FORCED_EXIT_SLACK_MS = 15_000;

export interface StageProcessOptions<T> {
  handler: StageHandler<T>;
  options: StageOptions;
  nats: { servers: string | string[]; name?: string; asyncTraces?: boolean; auth?: NatsAuth; inboxPrefix?: string };
  /** @default createLogger({ base: { service: stage, instance } }) */
  log?: Logger;
  /** Topology to provision before start; `false` skips provisioning. @default {} (buildTopology's defaults) */
  topology?: TopologyOptions | false;
  /** How the process ends; tests replace it. @default process.exit */
  exit?: (code: number) => void;
}

export interface StageProcess<T> {
  readonly runtime: StageRuntime<T>;
  readonly bus: Bus;
  /** Shuts down (as on SIGTERM) and exits with `code`; e.g. EXIT_RECYCLE from the memory guard. Memoised. */
  requestExit(code: number, reason: string): Promise<void>;
  /** Resolves with the exit code once shutdown is done. */
  readonly exited: Promise<number>;
}

type Shutdown = (code: number, reason: string) => Promise<void>;
const shutdowns = new Set<Shutdown>();
let signalsInstalled = false;

/** SIGTERM and SIGINT handlers, once per process, shared by every stage process in it. */
function installSignals(log: Logger): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log.info({ signal }, 'signal: shutting down');
      for (const shutdown of shutdowns) void shutdown(0, signal);
    });
  }
}

/**
 * A standalone stage service: connects the bus, provisions the topology, starts the runtime, and
 * on SIGTERM/SIGINT (or requestExit) stops fetching, finishes or naks in-flight work within
 * graceMs, releases, drains the connection, and exits.
 */
export async function runStageProcess<T>(config: StageProcessOptions<T>): Promise<StageProcess<T>> {
  const options = compileStageOptions(config.options);
  const log = config.log ?? createLogger({ base: { service: options.stage, instance: options.instance } });
  const exit = config.exit ?? ((code: number) => process.exit(code));
  const bus = await Bus.connect({ servers: config.nats.servers, name: config.nats.name ?? `paperline-${options.stage}-${options.instance}`, asyncTraces: config.nats.asyncTraces ?? false, auth: config.nats.auth, inboxPrefix: config.nats.inboxPrefix, log });
  // each step of the start logged: a start that stalls says where
  log.info({ server: bus.nc.getServer() }, 'connected to NATS');
  if (config.topology !== false) await provisionTopology(bus.nc, buildTopology(config.topology ?? {}), { log });
  const runtime = new StageRuntime(config.handler, { ...config.options, instance: options.instance }, { bus, log });
  let resolveExited: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (resolveExited = resolve));
  let stopping: Promise<void> | undefined;
  const shutdown: Shutdown = (code, reason) => {
    stopping ??= (async () => {
      shutdowns.delete(shutdown);
      log.info({ code, reason }, 'stage process shutting down');
      const force = setTimeout(() => {
        log.error({ code }, 'shutdown took too long: forced exit');
        exit(code === 0 ? 1 : code);
      }, options.graceMs + FORCED_EXIT_SLACK_MS);
      force.unref();
      try {
        await runtime.close();
      } catch (error) {
        log.error({ err: error }, 'runtime close failed');
      }
      try {
        await bus.close();
      } catch (error) {
        log.error({ err: error }, 'connection drain failed');
      }
      clearTimeout(force);
      log.info({ code }, 'stage process stopped');
      log.flush?.();
      resolveExited(code);
      exit(code);
    })();
    return stopping;
  };
  shutdowns.add(shutdown);
  installSignals(log);
  try {
    await runtime.start();
  } catch (error) {
    log.error({ err: error }, 'stage failed to start');
    await shutdown(1, 'start failed');
    throw error;
  }
  return { runtime, bus, requestExit: shutdown, exited };
}
