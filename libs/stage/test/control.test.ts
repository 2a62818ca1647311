import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '@paperline/bus';
import { startTestServer, type TestServer } from '@paperline/testing';
import { createMetrics, silentLogger } from '@paperline/telemetry';
import { Registry } from 'prom-client';
import { ControlPlane, HealthServer, StageRuntime, StageStates, type ControlChange, type StageOptions } from '../src/index.js';
import { layoutBacklog, openBus, publishTasks, sleep, tasks, testStage, waitFor, type TestStage } from './helpers.js';

describe('control flags, pause, suspend and health', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  const startRuntime = async (bus: Bus, handler: TestStage, options: Partial<StageOptions> = {}, healthServer?: HealthServer) => {
    const metrics = createMetrics(new Registry());
    const runtime = new StageRuntime(handler, { stage: handler.stage, lagPollMs: 0, maxBatchWaitMs: 5, ...options }, { bus, metrics, healthServer });
    server.defer(() => runtime.close());
    await runtime.start();
    return { runtime, metrics };
  };

  it('pause by KV flag stops consumption within 1 s, releases after the grace, and resume processes what queued up', async () => {
    const bus = await openBus(server);
    const control = await ControlPlane.open(bus);
    const handler = testStage();
    const { runtime, metrics } = await startRuntime(bus, handler, { pauseGraceMs: 300 });
    await publishTasks(bus, 'normal', tasks(20, 'before'));
    await waitFor(async () => (await layoutBacklog(bus)) === 0, 10_000, 'first work');

    const pausedAt = Date.now();
    await control.setPaused('layout', true);
    await waitFor(() => runtime.state === StageStates.PAUSED, 1_000, 'paused state');
    // open long polls end within idlePollMs (500 ms): after 1 s nothing is taken any more
    await sleep(Math.max(0, 1_000 - (Date.now() - pausedAt)));
    await publishTasks(bus, 'normal', tasks(10, 'during'));
    await sleep(800);
    expect(handler.seen.filter((s) => s.id.startsWith('during'))).toHaveLength(0);
    expect(await layoutBacklog(bus)).toBe(10);
    expect(handler.releases).toBe(1);
    expect(runtime.status()).toMatchObject({ state: 'paused', paused: true, released: true });
    expect((await metrics.registry.getSingleMetric('pl_stage_paused')?.get())?.values[0]?.value).toBe(1);

    await control.setPaused('layout', false);
    await waitFor(() => runtime.state === StageStates.READY, 1_000, 'ready state');
    await waitFor(async () => (await layoutBacklog(bus)) === 0, 10_000, 'queued work after resume');
    expect(handler.seen.filter((s) => s.id.startsWith('during'))).toHaveLength(10);
    expect(handler.releases).toBe(1);
  });

  it('a runtime started while the flag says paused stays paused; live batchSize and concurrency apply', async () => {
    const bus = await openBus(server);
    const control = await ControlPlane.open(bus);
    await control.setPaused('layout', true);
    await control.setBatchSize('layout', 2);
    const handler = testStage({ delayMs: 5 });
    const { runtime } = await startRuntime(bus, handler, { batchSize: 16, pauseGraceMs: 60_000 });
    expect(runtime.state).toBe(StageStates.PAUSED);
    await publishTasks(bus, 'normal', tasks(20));
    await sleep(700);
    expect(handler.seen).toHaveLength(0);
    await control.setConcurrency('layout', 3);
    await control.setPaused('layout', false);
    await waitFor(async () => (await layoutBacklog(bus)) === 0, 10_000, 'work');
    expect(Math.max(...handler.batches)).toBeLessThanOrEqual(2);
    expect(runtime.status()).toMatchObject({ batchSize: 2, maxInflightBatches: 3 });
    await control.setBatchSize('layout', undefined);
    await waitFor(() => runtime.status()['batchSize'] === 16, 2_000, 'batch size back to the option');
    expect(await control.stageFlags('layout')).toEqual({ paused: false, concurrency: 3, batchSize: undefined });
  });

  it('suspend() stops fetching without the KV flag and without release; unsuspend() resumes', async () => {
    const bus = await openBus(server);
    const handler = testStage();
    const { runtime } = await startRuntime(bus, handler, { pauseGraceMs: 100 });
    runtime.suspend('memory critical');
    expect(runtime.state).toBe(StageStates.PAUSED);
    await sleep(700);
    await publishTasks(bus, 'normal', tasks(5));
    await sleep(500);
    expect(handler.seen).toHaveLength(0);
    expect(handler.releases).toBe(0);
    expect(runtime.status()).toMatchObject({ suspended: 'memory critical', paused: false });
    runtime.unsuspend();
    await waitFor(async () => (await layoutBacklog(bus)) === 0, 10_000, 'work after unsuspend');
    expect(runtime.state).toBe(StageStates.READY);
  });

  it('ControlPlane reads, writes and watches feature flags', async () => {
    const bus = await openBus(server);
    const control = await ControlPlane.open(bus);
    expect(await control.features()).toEqual({ table: true, formula: true, chart: true });
    const changes: ControlChange[] = [];
    const watch = await control.watch((c) => changes.push(c));
    await control.setFeature('table', false);
    await control.setPaused('ocr', true);
    await waitFor(() => changes.length >= 2, 5_000, 'watched changes');
    watch.stop();
    expect(changes).toEqual([
      expect.objectContaining({ kind: 'feature', feature: 'table', value: false }),
      expect.objectContaining({ kind: 'paused', stage: 'ocr', value: true }),
    ]);
    expect(await control.features()).toEqual({ table: false, formula: true, chart: true });
    expect(await control.isPaused('ocr')).toBe(true);
  });

  it('health server: /healthz, /readyz, /status and /metrics, shared by two runtimes', async () => {
    const bus = await openBus(server);
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const health = new HealthServer({ port: 0, host: '127.0.0.1', registry, log: silentLogger() });
    server.defer(() => health.close());
    const base = `http://127.0.0.1:${await health.start()}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(503); // nothing registered yet
    const layout = testStage();
    const ocr = { ...testStage(), stage: 'ocr' as const };
    const a = new StageRuntime(layout, { stage: 'layout', lagPollMs: 50 }, { bus, metrics, healthServer: health });
    const b = new StageRuntime(ocr, { stage: 'ocr', lagPollMs: 50 }, { bus, metrics, healthServer: health });
    server.defer(() => a.close());
    server.defer(() => b.close());
    await a.start();
    await b.start();
    await publishTasks(bus, 'normal', tasks(3));
    await waitFor(async () => (await layoutBacklog(bus)) === 0, 10_000, 'work');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const status = (await (await fetch(`${base}/status`)).json()) as Record<string, Record<string, unknown>>;
    expect(status['layout']).toMatchObject({ state: 'ready', handler: { test: true }, queue: { high: { pending: 0 }, normal: { pending: 0 } } });
    expect(status['ocr']).toMatchObject({ state: 'ready' });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('pl_stage_messages_total{stage="layout",outcome="ack"} 3');
    expect(text).toContain('pl_consumer_pending{stage="ocr",priority="high"} 0');
    await b.close();
    expect(Object.keys((await (await fetch(`${base}/status`)).json()) as object)).toEqual(['layout']);
    await bus.jsm.consumers.delete('PL_WORK', 'layout-high');
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 503, 5_000, 'not ready once a consumer is gone');
  });
});
