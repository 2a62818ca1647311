// Everything a model-using stage service needs for memory, built from its configuration: the
// manifest, the device budgets, learned footprints, the ModelManager, and a MemoryGuard wired to
// the manager and to the runtime hooks (suspend, resume, recycle).
import { totalmem } from 'node:os';
import type { Bus } from '@paperline/bus';
import { DeviceBudgets, DeviceMonitor, FootprintStore, GpuProbe, HostProbe, MemoryGuard, ProcessProbe, cpuDevice, resolveCapacity, type MemorySettings } from '@paperline/memory';
import { getMetrics, type Logger, type Metrics } from '@paperline/telemetry';
import { providersOf, type ModelsConfig } from './config.js';
import { guardActionsFor, type RuntimeHooks } from './guard-actions.js';
import { Manifest } from './manifest.js';
import { ModelManager } from './model-manager.js';
import { ThreadSessionFactory, type InferenceRunner } from './inference-thread.js';
import type { OnnxSessionFactoryOptions } from './session-factory.js';

export interface ModelRuntimeOptions {
  memory: Readonly<MemorySettings>;
  models: ModelsConfig['models'];
  bus: Bus;
  stage: string;
  instance: string;
  node: string;
  /** Wired to the guard: StageRuntime.suspend/unsuspend and the process's recycle (exit 75). */
  hooks: RuntimeHooks;
  /** Session settings of this stage's models (threads, memory patterns). */
  sessions?: OnnxSessionFactoryOptions;
  log?: Logger;
  /** Where the model, budget, pressure and device metrics go. @default the process registry (getMetrics) */
  metrics?: Metrics;
}

export interface ModelRuntime {
  readonly manifest: Manifest;
  /** Sessions run in the stage's inference thread (see inference-thread.ts). */
  readonly manager: ModelManager<InferenceRunner>;
  /** Absent when memory.guard.enabled is false. */
  readonly guard: MemoryGuard | undefined;
  /** Stops the guard, unloads every model and deletes every lease. */
  close(): Promise<void>;
}

/** A runner whose every run() is timed: each model stage gets pl_inference_seconds per model without code of its own. */
export function timedRunner(runner: InferenceRunner, observe: (seconds: number) => void): InferenceRunner {
  return {
    inputNames: runner.inputNames,
    outputNames: runner.outputNames,
    async run(feeds, options) {
      const started = performance.now();
      try {
        return await runner.run(feeds, options);
      } finally {
        observe((performance.now() - started) / 1000);
      }
    },
  };
}

export async function createModelRuntime(options: ModelRuntimeOptions): Promise<ModelRuntime> {
  const { memory, models, bus, stage, instance, node, log } = options;
  const metrics = options.metrics ?? getMetrics();
  const manifest = await Manifest.load(models.manifest, models.dir ? { modelsDir: models.dir } : {});
  const probes = [new HostProbe(node), new GpuProbe(node, { binary: memory.nvidiaSmi, metrics, stage })];
  const devices = new DeviceMonitor({ node, probes, expected: providersOf({ models }), metrics, intervalMs: memory.sampleIntervalMs, log });
  devices.start();
  const budgets = new DeviceBudgets({
    bus,
    stage,
    instance,
    capacity: memory.capacity,
    probes,
    leaseTtlMs: memory.leaseTtlMs,
    heartbeatMs: memory.heartbeatMs,
    reserveTimeoutMs: memory.reserveTimeoutMs,
    retryAfterMs: memory.retryAfterMs,
    log,
    metrics,
  });
  const sessions = new ThreadSessionFactory({ ...options.sessions, simplifyGraph: models.simplifyGraph });
  const manager = new ModelManager<InferenceRunner>({
    manifest,
    stage,
    instance,
    node,
    budgets,
    footprints: await FootprintStore.open(bus),
    sessions,
    providers: providersOf({ models }),
    cpuFallback: models.cpuFallback,
    idleTimeoutMs: models.idleTimeoutMs,
    verifyChecksums: models.verifyChecksums,
    nvidiaSmi: memory.nvidiaSmi,
    bus,
    log,
    metrics,
    instrument: (runner, labels) => timedRunner(runner, (seconds) => metrics.inferenceSeconds.observe(labels, seconds)),
  });
  let guard: MemoryGuard | undefined;
  if (memory.guard.enabled) {
    guard = new MemoryGuard({
      actions: guardActionsFor(manager, options.hooks),
      probe: new ProcessProbe(node),
      device: cpuDevice(node),
      limitBytes: resolveCapacity(memory.guard.limit ?? memory.capacity.cpu, totalmem()),
      thresholds: memory.guard.thresholds,
      intervalMs: memory.guard.intervalMs,
      cooldownMs: memory.guard.cooldownMs,
      dumpDir: memory.guard.dumpDir,
      heapSnapshot: memory.guard.heapSnapshot,
      report: () => ({ models: manager.status() }),
      stage,
      instance,
      bus,
      log,
      metrics,
    });
    guard.start();
  }
  return {
    manifest,
    manager,
    guard,
    async close() {
      devices.stop();
      guard?.stop();
      await manager.teardown();
      await sessions.close();
    },
  };
}
