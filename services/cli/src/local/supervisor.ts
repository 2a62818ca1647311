import { spawn, type ChildProcess } from 'node:child_process';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { startLocalServer, type LocalServer } from '@paperline/nats-server';
import type { Logger } from '@paperline/telemetry';
import { stageCommand } from './stage-process.js';
import type { ModuleStage } from './stage-modules.js';

/** Exit code by which a stage asks for a fresh process (memory-guard recycle). */
export const RECYCLE_EXIT_CODE = 75;

export interface SupervisorOptions {
  natsUrl?: string;
  stages: readonly ModuleStage[];
  /** Instances per stage. @default 1 each */
  replicas?: Partial<Record<ModuleStage, number>>;
  log: Logger;
  /** First health port; each process gets the next one (0: each binds a free port of its own). @default 9400 */
  healthPortBase?: number;
  /** Grace given to stages on shutdown before SIGKILL. @default 35_000 */
  stopGraceMs?: number;
  /** Restart backoff bounds. @default 1_000 and 30_000 */
  restartMinMs?: number;
  restartMaxMs?: number;
  /** Ends the supervisor (SIGTERM/SIGINT in the CLI). */
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

interface Slot {
  stage: ModuleStage;
  index: number;
  port: number;
  child?: ChildProcess;
  restarts: number;
  startedAt: number;
  timer?: NodeJS.Timeout;
}

const ABORTED = Symbol('aborted');

/** The promise's value, or ABORTED as soon as the signal fires (the promise is left to settle). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * `paperline up`: runs each stage as its own process and restarts one that exits, at once after
 * a recycle (exit 75), else with exponential backoff that resets after a minute of uptime.
 * Without a NATS URL it runs an embedded nats-server for the stages.
 */
export async function runSupervisor(options: SupervisorOptions): Promise<void> {
  const log = options.log.child({ component: 'supervisor' });
  let server: LocalServer | undefined;
  let url = options.natsUrl;
  if (!url) {
    server = await startLocalServer({ storeDir: process.env['PL_NATS_STORE_DIR'] || undefined });
    url = server.url;
    log.info({ url, version: server.version, storeDir: server.storeDir }, 'embedded nats-server started');
  }
  // an unreachable cluster is retried until SIGTERM, which must still end the supervisor at once
  log.info({ url }, 'connecting to the cluster');
  const connecting = Bus.connect({ servers: url, name: 'paperline-supervisor', log });
  const provisioned = connecting.then(async (bus) => {
    try {
      await provisionTopology(bus.nc, buildTopology(), { log });
    } finally {
      await bus.close();
    }
  });
  if ((await untilAborted(provisioned, options.signal)) === ABORTED) {
    void connecting.then((bus) => bus.close()).catch(() => undefined);
    await server?.stop();
    log.info('supervisor stopped before its stages started');
    return;
  }

  const minMs = options.restartMinMs ?? 1_000;
  const maxMs = options.restartMaxMs ?? 30_000;
  const graceMs = options.stopGraceMs ?? 35_000;
  let stopping = false;
  const slots: Slot[] = [];
  const base = options.healthPortBase ?? 9400;
  for (const stage of options.stages) {
    // with base 0 every process binds a free port of its own: ports after a base are not known to be free
    for (let index = 0; index < (options.replicas?.[stage] ?? 1); index++) slots.push({ stage, index, port: base === 0 ? 0 : base + slots.length, restarts: 0, startedAt: 0 });
  }

  const start = (slot: Slot) => {
    slot.startedAt = Date.now();
    const child = spawn(process.execPath, stageCommand(slot.stage), {
      stdio: ['ignore', 'inherit', 'inherit'],
      // two glibc arenas keep the memory native libraries free from piling up (see bin/paperline.js)
      env: { MALLOC_ARENA_MAX: '2', ...process.env, ...options.env, NATS_URL: url, PL_HEALTH_PORT: String(slot.port), PL_STAGE: slot.stage },
    });
    slot.child = child;
    log.info({ stage: slot.stage, instance: slot.index, pid: child.pid, healthPort: slot.port }, 'stage started');
    child.once('exit', (code, signal) => {
      slot.child = undefined;
      if (stopping) return;
      const uptime = Date.now() - slot.startedAt;
      if (uptime > 60_000) slot.restarts = 0;
      const delay = code === RECYCLE_EXIT_CODE ? 0 : Math.min(maxMs, minMs * 2 ** slot.restarts);
      slot.restarts++;
      log.warn({ stage: slot.stage, instance: slot.index, code, signal, uptimeMs: uptime, restartInMs: delay, recycle: code === RECYCLE_EXIT_CODE }, 'stage exited; restarting');
      slot.timer = setTimeout(() => start(slot), delay);
    });
  };
  slots.forEach(start);

  await new Promise<void>((resolveStop) => {
    if (options.signal.aborted) resolveStop();
    else options.signal.addEventListener('abort', () => resolveStop(), { once: true });
  });
  stopping = true;
  log.info('stopping stages');
  await Promise.all(
    slots.map(async (slot) => {
      clearTimeout(slot.timer);
      const child = slot.child;
      if (!child || child.exitCode !== null) return;
      await new Promise<void>((done) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', () => {
          clearTimeout(kill);
          done();
        });
        child.kill('SIGTERM');
      });
    }),
  );
  await server?.stop();
  log.info('supervisor stopped');
}
