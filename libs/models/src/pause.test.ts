// Issue 4, "pause": `stage.ocr.paused=true` stops consumption within 1 s and, after the pause
// grace, unloads the stage's model (pl_model_loaded 0, lease gone) within grace + 1 s; messages
// wait in the stream (pending grows); after resume every message is processed. Driven through
// H1's StageRuntime with a handler that acquires a generated model through the ModelManager.
import type { KV } from '@nats-io/kv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { Buckets, ControlKeys, Streams, Subjects, consumerName, decode } from '@paperline/contracts';
import { StageRuntime, type JobOutcome, type StageHandler } from '@paperline/stage';
import { startTestServer, type TestServer } from '@paperline/testing';
import { readLedger, sleep } from '../../memory/test/helpers.js';
import { fixtureManifest, modelsDir } from '../test/fixtures.js';
import { CPU, makeManager, metricValue, runScale } from '../test/harness.js';

const TaskSchema = z.object({ id: z.string() });
const PAUSE_GRACE_MS = 1_500;
const encoder = new TextEncoder();

describe('pause returns memory', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  it('stops consuming within 1 s, unloads within grace + 1 s, keeps messages pending, and processes all after resume', async () => {
    const bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    const memory: KV = await bus.kv(Buckets.memory);
    const control: KV = await bus.kv(Buckets.control);
    const manifest = fixtureManifest(modelsDir(), [{ id: 'ocr-model', memoryEstimateBytes: 10_000_000 }]);
    const { manager, metrics } = await makeManager(server, 'ocr-1', manifest, { capacityBytes: 100_000_000, idleTimeoutMs: 0 });

    const seen = new Map<string, number>();
    const handler: StageHandler<z.infer<typeof TaskSchema>> = {
      stage: 'ocr',
      decode: (data) => decode(TaskSchema, data),
      async handleBatch(batch): Promise<JobOutcome[]> {
        const model = await manager.acquire('ocr-model');
        try {
          const outcomes: JobOutcome[] = [];
          for (const m of batch) {
            expect(await runScale(model.session)).toEqual([2, 4, 6, 8]);
            seen.set(m.data.id, Date.now());
            outcomes.push({ outputs: [{ subject: Subjects.work('assemble', 'normal'), data: encoder.encode(JSON.stringify(m.data)), msgId: `out:${m.data.id}` }] });
          }
          await sleep(20);
          return outcomes;
        } finally {
          model.release();
        }
      },
      release: () => manager.unloadAll('stage paused'),
    };
    const runtime = new StageRuntime(handler, { stage: 'ocr', instance: 'ocr-1', pauseGraceMs: PAUSE_GRACE_MS, idlePollMs: 200, lagPollMs: 0, batchSize: 4, health: false }, { bus, metrics });
    server.defer(() => runtime.close());
    await runtime.start();
    const publish = (ids: string[]) => Promise.all(ids.map((id) => bus.publish(Subjects.work('ocr', 'normal'), encoder.encode(JSON.stringify({ id })), { msgId: `in:${id}` })));
    const consumer = () => bus.jsm.consumers.info(Streams.work, consumerName('ocr', 'normal'));
    const pending = async () => (await consumer()).num_pending;

    await publish(Array.from({ length: 20 }, (_, i) => `a${i}`));
    while (seen.size < 20) await sleep(20);
    expect(await metricValue(metrics, 'modelLoaded', { model: 'ocr-model', device: CPU })).toBe(1);
    expect(Object.values((await readLedger(memory, CPU)).leases)).toHaveLength(1);

    // pause while a steady stream of work keeps arriving
    const pendingAtPause = await pending();
    const pausedAt = Date.now();
    await control.put(ControlKeys.paused('ocr'), encoder.encode('true'));
    const feeding = (async () => {
      for (let i = 0; i < 30; i += 1) {
        await publish([`b${i}`]);
        await sleep(50);
      }
    })();
    let unloadedAt: number | undefined;
    while (Date.now() - pausedAt < PAUSE_GRACE_MS + 1_000) {
      if (unloadedAt === undefined && (await metricValue(metrics, 'modelLoaded', { model: 'ocr-model', device: CPU })) === 0) unloadedAt = Date.now();
      await sleep(50);
    }
    await feeding;
    const lastHandled = Math.max(...seen.values());
    console.info(`[pause] last message handled ${lastHandled - pausedAt} ms after the flag; model unloaded ${unloadedAt === undefined ? 'never' : `${unloadedAt - pausedAt} ms`} after it; pending ${await pending()}, ack pending ${(await consumer()).num_ack_pending}`);
    expect(lastHandled - pausedAt).toBeLessThanOrEqual(1_000);
    expect(unloadedAt).toBeDefined();
    expect(unloadedAt! - pausedAt).toBeLessThanOrEqual(PAUSE_GRACE_MS + 1_000);
    expect((await readLedger(memory, CPU)).leases).toEqual({});
    // what arrived in the instant before the flag reached the runtime was handled; the rest waits
    const info = await consumer();
    expect(info.num_pending).toBeGreaterThan(pendingAtPause + 25);
    const handledDuringPause = [...seen.keys()].filter((id) => id.startsWith('b')).length;
    expect(handledDuringPause).toBeLessThanOrEqual(2);
    expect(info.num_pending + info.num_ack_pending + handledDuringPause).toBe(30);

    // resume: everything is processed, the model comes back
    await control.put(ControlKeys.paused('ocr'), encoder.encode('false'));
    const deadline = Date.now() + 15_000;
    while (seen.size < 50 && Date.now() < deadline) await sleep(50);
    expect(seen.size).toBe(50);
    expect(await metricValue(metrics, 'modelLoaded', { model: 'ocr-model', device: CPU })).toBe(1);
    expect(await pending()).toBe(0);
  }, 60_000);
});
