// Builds ModelManagers on the test server: one per simulated stage instance, each with its own
// Bus connection, DeviceBudgets and metrics registry.
import * as ort from 'onnxruntime-node';
import { Registry } from 'prom-client';
import { DeviceBudgets, FootprintStore, GpuProbe, HostProbe } from '@paperline/memory';
import { createMetrics, type Metrics } from '@paperline/telemetry';
import type { TestServer } from '@paperline/testing';
import { openTestBus } from '../../memory/test/helpers.js';
import { ModelManager, type Manifest, type ModelManagerOptions } from '../src/index.js';

export const NODE = 'test';
export const CPU = `cpu@${NODE}`;

export interface HarnessOptions extends Partial<Omit<ModelManagerOptions<ort.InferenceSession>, 'manifest' | 'budgets'>> {
  capacityBytes: number;
  leaseTtlMs?: number;
  heartbeatMs?: number;
  reserveTimeoutMs?: number;
  learnFootprints?: boolean;
}

export async function makeManager(server: TestServer, instance: string, manifest: Manifest, options: HarnessOptions) {
  const bus = await openTestBus(server);
  const metrics: Metrics = createMetrics(new Registry());
  const { capacityBytes, leaseTtlMs, heartbeatMs, reserveTimeoutMs, learnFootprints, ...rest } = options;
  const budgets = new DeviceBudgets({
    bus,
    stage: rest.stage ?? 'ocr',
    instance,
    capacity: { cpu: { bytes: capacityBytes }, gpu: { fraction: 0.9 } },
    probes: [new HostProbe(NODE), new GpuProbe(NODE)],
    leaseTtlMs: leaseTtlMs ?? 5_000,
    heartbeatMs: heartbeatMs ?? 1_000,
    reserveTimeoutMs: reserveTimeoutMs ?? 20_000,
    metrics,
  });
  const manager = new ModelManager<ort.InferenceSession>({
    manifest,
    stage: 'ocr',
    instance,
    node: NODE,
    budgets,
    providers: ['cpu'],
    idleTimeoutMs: 0,
    bus,
    metrics,
    ...(learnFootprints ? { footprints: await FootprintStore.open(bus) } : {}),
    ...rest,
  });
  server.defer(() => manager.teardown());
  return { manager, metrics, bus, budgets };
}

/** Runs the tiny scale model once (y = 2x). */
export async function runScale(session: ort.InferenceSession): Promise<number[]> {
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [1, 4]) });
  return [...(out['y']?.data as Float32Array)];
}

export async function metricValue(metrics: Metrics, name: 'modelEvents' | 'modelLoaded', labels: Record<string, string>): Promise<number> {
  const values = (await metrics[name].get()).values;
  return values.filter((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val)).reduce((sum, v) => sum + v.value, 0);
}
