import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { KV } from '@nats-io/kv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@paperline/config';
import { getMetrics } from '@paperline/telemetry';
import { compileMemorySettings, memorySchema, type MemoryConfig } from '@paperline/memory';
import { encodeOnnxModel, scaleModel, startTestServer, type TestServer } from '@paperline/testing';
import { openTestBus, provisionMemory, readLedger } from '../../memory/test/helpers.js';
import { modelsDir } from '../test/fixtures.js';
import { runScale } from '../test/harness.js';
import { createModelRuntime, modelsSchema, type ModelsConfig } from './index.js';

describe('createModelRuntime', () => {
  let server: TestServer;
  let kv: KV;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  it('builds manager and guard from configuration (env overrides included) and closes cleanly', async () => {
    const bus = await openTestBus(server);
    kv = await provisionMemory(bus);
    const dir = modelsDir();
    writeFileSync(join(dir, 'tiny.onnx'), encodeOnnxModel(scaleModel()));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ models: [{ id: 'tiny', stage: 'ocr', task: 't', files: [{ path: 'tiny.onnx' }], license: 'MIT', source: 'generated', memoryEstimateBytes: 5_000_000 }] }));
    const env = { PL_MODELS_MANIFEST: join(dir, 'manifest.json'), PL_MODEL_PROVIDERS: 'cpu', PL_MEMORY_CPU_CAPACITY: '64MB', PL_MEMORY_GUARD_LIMIT: '0.99' };
    const config = loadConfig({ ...memorySchema, ...modelsSchema }, { env }) as unknown as MemoryConfig & ModelsConfig;
    const suspended: string[] = [];
    const runtime = await createModelRuntime({
      memory: compileMemorySettings(config),
      models: config.models,
      bus,
      stage: 'ocr',
      instance: 'rt-1',
      node: 'test',
      hooks: { suspend: (reason) => void suspended.push(reason), resume: () => undefined, recycle: () => undefined },
    });
    const handle = await runtime.manager.acquire('tiny');
    expect(handle.device).toBe('cpu@test');
    expect(await runScale(handle.session as never)).toEqual([2, 4, 6, 8]);
    handle.release();
    // built without a metrics argument, as every stage builds it: the process registry gets them
    const exported = await getMetrics().registry.metrics();
    expect(exported).toContain('pl_model_loaded{stage="ocr",model="tiny",device="cpu@test"} 1');
    expect(exported).toContain('pl_model_events_total{model="tiny",event="evict"} 0');
    expect(exported).toContain('pl_inference_seconds_count{stage="ocr",model="tiny",device="cpu@test"} 1');
    expect(exported).toContain('pl_budget_capacity_bytes{device="cpu@test"} 64000000');
    expect(exported).toContain('pl_device_present{device="cpu@test",kind="cpu"} 1');
    expect(exported).toMatch(/^pl_host_memory_total_bytes\{device="cpu@test"\} [1-9]/m);
    const ledger = await readLedger(kv, 'cpu@test');
    expect(ledger.capacityBytes).toBe(64_000_000);
    expect(runtime.guard).toBeDefined();
    await runtime.close();
    expect((await readLedger(kv, 'cpu@test')).leases).toEqual({});
    expect(suspended).toEqual([]);
  });
});
