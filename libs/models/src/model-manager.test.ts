import type { KV } from '@nats-io/kv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ModelEventSchema, decode, isPaperlineError, type ModelEvent } from '@paperline/contracts';
import { pollUntil, startTestServer, type TestServer } from '@paperline/testing';
import { writeFakeNvidiaSmi } from '../../memory/test/fake-nvidia-smi.js';
import { openTestBus, provisionMemory, readLedger } from '../../memory/test/helpers.js';
import { CPU, NODE, makeManager, metricValue, runScale } from '../test/harness.js';
import { fixtureManifest, modelsDir } from '../test/fixtures.js';

const MB = 1_000_000;

describe('ModelManager', () => {
  let server: TestServer;
  let kv: KV;
  let events: ModelEvent[];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  const setup = async () => {
    const bus = await openTestBus(server);
    kv = await provisionMemory(bus);
    events = [];
    const sub = bus.nc.subscribe('pl.events.model.>');
    void (async () => {
      for await (const msg of sub) events.push(decode(ModelEventSchema, msg.data));
    })();
  };

  it('loads lazily, shares by reference count, marks the lease idle, and unloads after the idle timeout', async () => {
    await setup();
    const manifest = fixtureManifest(modelsDir(), [{ id: 'scale', memoryEstimateBytes: 10 * MB }]);
    // long enough that the idle lease is seen before the unload even on a busy machine
    const { manager, metrics } = await makeManager(server, 'i1', manifest, { capacityBytes: 100 * MB, idleTimeoutMs: 3_000 });
    expect(manager.isLoaded('scale')).toBe(false);
    const [a, b] = await Promise.all([manager.acquire('scale'), manager.acquire('scale')]);
    expect(a.session).toBe(b.session);
    expect(await runScale(a.session)).toEqual([2, 4, 6, 8]);
    expect(Object.values((await readLedger(kv, CPU)).leases)).toEqual([expect.objectContaining({ model: 'scale', state: 'active', bytes: 10 * MB, instance: 'i1' })]);
    expect(await metricValue(metrics, 'modelEvents', { event: 'load' })).toBe(1);
    expect(await metricValue(metrics, 'modelLoaded', { model: 'scale', device: CPU })).toBe(1);
    a.release();
    a.release(); // a second release of one handle is ignored
    expect(Object.values((await readLedger(kv, CPU)).leases)[0]?.state).toBe('active');
    b.release();
    await pollUntil('the lease marked idle', async () => Object.values((await readLedger(kv, CPU)).leases)[0]?.state === 'idle', { timeoutMs: 2_500, intervalMs: 20 });
    expect(manager.isLoaded('scale')).toBe(true);
    // the unload's last step is its event (after the session, the lease and the metrics)
    await pollUntil('the idle_unload event', () => events.some((e) => e.event === 'idle_unload'), { timeoutMs: 30_000 });
    expect(manager.isLoaded('scale')).toBe(false);
    expect((await readLedger(kv, CPU)).leases).toEqual({});
    expect(await metricValue(metrics, 'modelLoaded', { model: 'scale', device: CPU })).toBe(0);
    expect(await metricValue(metrics, 'modelEvents', { event: 'idle_unload' })).toBe(1);
    expect(events.map((e) => e.event)).toEqual(['load', 'loaded', 'idle_unload']);
  });

  it('a failed load releases its reservation and says why', async () => {
    await setup();
    const manifest = fixtureManifest(modelsDir(), [
      { id: 'corrupt', memoryEstimateBytes: 10 * MB, corrupt: true },
      { id: 'missing', memoryEstimateBytes: 10 * MB, missing: true },
      { id: 'tampered', memoryEstimateBytes: 10 * MB, badChecksum: true },
    ]);
    const { manager, metrics } = await makeManager(server, 'i1', manifest, { capacityBytes: 100 * MB });
    await expect(manager.acquire('corrupt')).rejects.toThrow(/failed to load.*corrupt\.onnx/);
    const missing = await manager.acquire('missing').catch((e: unknown) => e);
    expect(isPaperlineError(missing) && missing.code === 'MODEL_UNAVAILABLE' && /missing\.onnx/.test(missing.message)).toBe(true);
    await expect(manager.acquire('tampered')).rejects.toThrow(/sha256/);
    await expect(manager.acquire('nope')).rejects.toThrow(/not in the manifest/);
    expect((await readLedger(kv, CPU)).leases).toEqual({});
    expect(await metricValue(metrics, 'modelEvents', { event: 'load_failed' })).toBe(3);
    expect(events.filter((e) => e.event === 'load_failed')).toHaveLength(3);
  });

  it("evicts another instance's idle model when its lease is marked evicting", async () => {
    await setup();
    const manifest = fixtureManifest(modelsDir(), [
      { id: 'm1', memoryEstimateBytes: 60 * MB },
      { id: 'm2', memoryEstimateBytes: 60 * MB },
    ]);
    const one = await makeManager(server, 'one', manifest, { capacityBytes: 100 * MB });
    const two = await makeManager(server, 'two', manifest, { capacityBytes: 100 * MB });
    (await one.manager.acquire('m1')).release();
    await pollUntil("one's lease marked idle", async () => Object.values((await readLedger(kv, CPU)).leases)[0]?.state === 'idle');
    const handle = await two.manager.acquire('m2');
    expect(await runScale(handle.session)).toEqual([2, 4, 6, 8]);
    expect(one.manager.isLoaded('m1')).toBe(false);
    expect(await metricValue(one.metrics, 'modelEvents', { event: 'evict' })).toBe(1);
    expect(Object.values((await readLedger(kv, CPU)).leases).map((l) => `${l.instance}/${l.model}/${l.state}`)).toEqual(['two/m2/active']);
    handle.release();
  });

  it('evicts between two managers of one process that share an instance id (embedded mode)', async () => {
    await setup();
    const manifest = fixtureManifest(modelsDir(), [
      { id: 'layout-m', memoryEstimateBytes: 60 * MB },
      { id: 'ocr-m', memoryEstimateBytes: 60 * MB },
    ]);
    const layout = await makeManager(server, 'proc-1', manifest, { capacityBytes: 100 * MB, stage: 'layout' });
    const ocr = await makeManager(server, 'proc-1', manifest, { capacityBytes: 100 * MB, stage: 'ocr' });
    (await layout.manager.acquire('layout-m')).release();
    await pollUntil("layout's lease marked idle", async () => Object.values((await readLedger(kv, CPU)).leases)[0]?.state === 'idle');
    const started = Date.now();
    const handle = await ocr.manager.acquire('ocr-m');
    // the hand-off, not the 20 s reserve timeout, let it through
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(layout.manager.isLoaded('layout-m')).toBe(false);
    handle.release();
  });

  it('(cpu fallback) a full GPU and an unavailable cuda provider: work goes ahead on cpu, counted', async () => {
    await setup();
    const originalPath = process.env['PATH'];
    const manifest = fixtureManifest(modelsDir(), [{ id: 'gpu-model', memoryEstimateBytes: 10 * MB, devices: ['cuda', 'cpu'] }]);
    try {
      // a full GPU: 81915 of 81920 MiB used (5 MiB free)
      process.env['PATH'] = `${writeFakeNvidiaSmi({ gpus: '0, 81915, 81920\n' }).dir}:${originalPath}`;
      const full = await makeManager(server, 'full', manifest, { capacityBytes: 100 * MB, providers: ['cuda:0', 'cpu'] });
      const handle = await full.manager.acquire('gpu-model');
      expect(handle.device).toBe(CPU);
      expect(await runScale(handle.session)).toEqual([2, 4, 6, 8]);
      expect(await metricValue(full.metrics, 'modelEvents', { model: 'gpu-model', event: 'fallback' })).toBe(1);
      const fallback = events.find((e) => e.event === 'fallback');
      expect(fallback).toMatchObject({ device: `cuda:0@${NODE}`, instance: 'full' });
      expect(fallback?.reason).toMatch(/free/);
      handle.release();

      // a GPU with room, but onnxruntime here has no usable cuda provider
      process.env['PATH'] = `${writeFakeNvidiaSmi({ gpus: '0, 100, 81920\n' }).dir}:${originalPath}`;
      const roomy = await makeManager(server, 'roomy', manifest, { capacityBytes: 100 * MB, providers: ['cuda:0', 'cpu'] });
      const second = await roomy.manager.acquire('gpu-model');
      expect(second.device).toBe(CPU);
      expect(await metricValue(roomy.metrics, 'modelEvents', { event: 'fallback' })).toBe(1);
      expect(events.filter((e) => e.event === 'fallback')[1]?.reason).toMatch(/execution provider/);
      // the cuda reservation was given back
      expect((await readLedger(kv, `cuda:0@${NODE}`)).leases).toEqual({});
      second.release();
    } finally {
      process.env['PATH'] = originalPath;
    }
  });

  it('does not fall back when the model or the policy forbids it', async () => {
    await setup();
    const manifest = fixtureManifest(modelsDir(), [{ id: 'gpu-only', memoryEstimateBytes: 10 * MB, devices: ['cuda', 'cpu'], cpuFallback: false }]);
    const { manager } = await makeManager(server, 'strict', manifest, { capacityBytes: 100 * MB, providers: ['cuda:0', 'cpu'] });
    await expect(manager.acquire('gpu-only')).rejects.toThrow(/not present|cuda/);
  });
});
