// Model runtimes for the pipeline-level tests (monitoring, cluster): generated tiny models whose
// manifest estimates make the budget evict, built through createModelRuntime as a stage builds
// its own, and one helper that runs a model once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Bus } from '@paperline/bus';
import { loadConfig } from '@paperline/config';
import { compileMemorySettings, memorySchema, type MemoryConfig } from '@paperline/memory';
import { createModelRuntime, modelsSchema, type ModelRuntime, type ModelsConfig } from '@paperline/models';
import { encodeOnnxModel, scaleModel } from '@paperline/testing';

export const MB = 1_000_000;

/** A manifest of one generated scale model (y = 2x) per entry, each estimated at estimateBytes. */
export function writeScaleManifest(models: { id: string; stage: string }[], estimateBytes: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'pl-test-models-'));
  writeFileSync(join(dir, 'scale.onnx'), encodeOnnxModel(scaleModel()));
  const specs = models.map(({ id, stage }) => ({ id, stage, task: 'test', files: [{ path: 'scale.onnx' }], license: 'MIT', source: 'generated', memoryEstimateBytes: estimateBytes, devices: ['cuda', 'cpu'] }));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ models: specs }));
  return join(dir, 'manifest.json');
}

export interface TestRuntimeOptions {
  bus: Bus;
  stage: string;
  manifest: string;
  node: string;
  /** e.g. '100MB' */
  capacity: string;
  /** Extra PL_* settings (sample intervals, guard). */
  env?: Record<string, string>;
}

/** A model runtime as a stage builds it: config from PL_* settings, providers cuda:0 then cpu. */
export async function startTestRuntime(options: TestRuntimeOptions): Promise<ModelRuntime> {
  const env = { PL_MODELS_MANIFEST: options.manifest, PL_MODEL_PROVIDERS: 'cuda:0,cpu', PL_MEMORY_CPU_CAPACITY: options.capacity, PL_MEMORY_GUARD_LIMIT: '0.99', ...options.env };
  const config = loadConfig({ ...memorySchema, ...modelsSchema }, { env }) as unknown as MemoryConfig & ModelsConfig;
  return createModelRuntime({
    memory: compileMemorySettings(config),
    models: { ...config.models, idleTimeoutMs: 600_000 },
    bus: options.bus,
    stage: options.stage,
    instance: `${options.stage}-1`,
    node: options.node,
    hooks: { suspend: () => undefined, resume: () => undefined, recycle: () => undefined },
  });
}

/** Acquires the model, runs it once, releases it. */
export async function runModelOnce(runtime: ModelRuntime, model: string): Promise<void> {
  const handle = await runtime.manager.acquire(model);
  try {
    await handle.session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [1, 4]) });
  } finally {
    handle.release();
  }
}
