// Issue 4, "budget never exceeded": three stage instances whose models each need half the
// capacity share one ledger under a mixed workload. Twice: once driving the ModelManagers
// directly (a job acquires, runs and releases the model of each stage it passes through), and
// once through three real StageRuntimes (layout routes each document on to ocr and/or table).
import type { KV } from '@nats-io/kv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildTopology, provisionTopology } from '@paperline/bus';
import { Buckets, Subjects, decode, isPaperlineError } from '@paperline/contracts';
import { StageRuntime, type JobOutcome, type StageHandler } from '@paperline/stage';
import { startTestServer, type TestServer } from '@paperline/testing';
import { openTestBus, provisionMemory, readLedger, recordLedger, sleep } from '../../memory/test/helpers.js';
import { fixtureManifest, modelsDir } from '../test/fixtures.js';
import { CPU, makeManager, metricValue, runScale } from '../test/harness.js';

const C = 100_000_000;
const JOBS = 200;
const CONCURRENCY = 4;
const STAGES = ['layout', 'ocr', 'table'] as const;

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('memory budget under a mixed workload', () => {
  let server: TestServer;
  let kv: KV;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  it(`never exceeds capacity C with three stages needing 0.5 C each over ${JOBS} documents`, async () => {
    kv = await provisionMemory(await openTestBus(server));
    const manifest = fixtureManifest(
      modelsDir(),
      STAGES.map((s) => ({ id: `${s}-model`, memoryEstimateBytes: C / 2 })),
    );
    const stages = await Promise.all(STAGES.map((s) => makeManager(server, `${s}-instance`, manifest, { capacityBytes: C, stage: s, reserveTimeoutMs: 5_000, idleTimeoutMs: 2_000 })));
    const recorder = await recordLedger(kv, CPU);
    const next = random(42);
    // each document passes through layout and then, mixed, ocr and/or table
    const documents = Array.from({ length: JOBS }, () => {
      const r = next();
      return r < 0.4 ? [0, 1] : r < 0.7 ? [0, 2] : r < 0.9 ? [0, 1, 2] : [0];
    });
    const holdMs = Array.from({ length: JOBS * 3 }, () => Math.floor(next() * 6));
    let retries = 0;
    let completed = 0;
    let cursor = 0;

    const runStage = async (stage: number, hold: number) => {
      for (;;) {
        try {
          const handle = await stages[stage]!.manager.acquire(`${STAGES[stage]}-model`);
          try {
            expect(await runScale(handle.session)).toEqual([2, 4, 6, 8]);
            await sleep(hold);
          } finally {
            handle.release();
          }
          return;
        } catch (error) {
          if (!(isPaperlineError(error) && error.code === 'BUDGET_TIMEOUT')) throw error;
          retries += 1; // the runtime would nak with error.retryAfterMs
        }
      }
    };
    const worker = async () => {
      while (cursor < documents.length) {
        const doc = cursor;
        cursor += 1;
        for (const [i, stage] of documents[doc]!.entries()) await runStage(stage, holdMs[doc * 3 + i]!);
        completed += 1;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await sleep(300);
    recorder.stop();

    const evictions = (await Promise.all(stages.map((s) => metricValue(s.metrics, 'modelEvents', { event: 'evict' })))).reduce((a, b) => a + b, 0);
    const loads = (await Promise.all(stages.map((s) => metricValue(s.metrics, 'modelEvents', { event: 'loaded' })))).reduce((a, b) => a + b, 0);
    const maxReserved = Math.max(...recorder.revisions.map((r) => r.reserved));
    const maxLeases = Math.max(...recorder.revisions.map((r) => Object.keys(r.leases).length));
    console.info(`[budget-workload] documents=${completed} revisions=${recorder.revisions.length} maxReserved=${maxReserved}/${C} maxLeases=${maxLeases} loads=${loads} evictions=${evictions} budgetTimeoutRetries=${retries}`);

    expect(completed).toBe(JOBS);
    expect(recorder.revisions.length).toBeGreaterThan(JOBS);
    expect(maxReserved).toBeLessThanOrEqual(C);
    expect(maxLeases).toBeLessThanOrEqual(2);
    expect(evictions).toBeGreaterThan(0);
    // every eviction made room for a load; nothing leaked a lease
    for (const s of stages) await s.manager.teardown();
    expect((await readLedger(kv, CPU)).leases).toEqual({});
  });

  it(`never exceeds capacity C through three real stage runtimes over ${JOBS} documents`, async () => {
    const bus = await openTestBus(server);
    await provisionTopology(bus.nc, buildTopology({ ackWaitMs: 30_000, maxDeliver: 50 }));
    kv = await bus.kv(Buckets.memory);
    const manifest = fixtureManifest(
      modelsDir(),
      STAGES.map((s) => ({ id: `${s}-model`, memoryEstimateBytes: C / 2 })),
    );
    const DocSchema = z.object({ doc: z.number(), route: z.array(z.enum(['ocr', 'table'])) });
    const done = new Map<string, number>();
    let budgetNaks = 0;
    const encoder = new TextEncoder();
    const stages = await Promise.all(
      STAGES.map(async (stage) => {
        const harness = await makeManager(server, `${stage}-instance`, manifest, { capacityBytes: C, stage, reserveTimeoutMs: 2_000, idleTimeoutMs: 2_000 });
        const handler: StageHandler<z.infer<typeof DocSchema>> = {
          stage,
          decode: (data) => decode(DocSchema, data),
          async handleBatch(batch): Promise<JobOutcome[]> {
            let model;
            try {
              model = await harness.manager.acquire(`${stage}-model`);
            } catch (error) {
              if (isPaperlineError(error) && error.code === 'BUDGET_TIMEOUT') budgetNaks += batch.length;
              return batch.map(() => ({ error }));
            }
            try {
              const outcomes: JobOutcome[] = [];
              for (const m of batch) {
                expect(await runScale(model.session)).toEqual([2, 4, 6, 8]);
                done.set(`${stage}:${m.data.doc}`, m.deliveryCount);
                const next = stage === 'layout' ? m.data.route.map((s) => Subjects.work(s, 'normal')) : [Subjects.work('assemble', 'normal')];
                outcomes.push({ outputs: next.map((subject) => ({ subject, data: encoder.encode(JSON.stringify(m.data)), msgId: `${stage}:${m.data.doc}:${subject}` })) });
              }
              await sleep(2);
              return outcomes;
            } finally {
              model.release();
            }
          },
          release: () => harness.manager.unloadAll('stage release'),
        };
        const runtime = new StageRuntime(handler, { stage, instance: `${stage}-instance`, batchSize: 4, maxInflightBatches: 2, idlePollMs: 200, lagPollMs: 0, health: false, backoff: { initialMs: 100, maxMs: 500 } }, { bus: harness.bus, metrics: harness.metrics });
        server.defer(() => runtime.close());
        return { ...harness, runtime };
      }),
    );
    const recorder = await recordLedger(kv, CPU);
    for (const s of stages) await s.runtime.start();
    const next = random(7);
    const routes: Array<Array<'ocr' | 'table'>> = Array.from({ length: JOBS }, () => {
      const r = next();
      return r < 0.4 ? ['ocr'] : r < 0.7 ? ['table'] : r < 0.9 ? ['ocr', 'table'] : [];
    });
    await Promise.all(routes.map((route, doc) => bus.publish(Subjects.work('layout', 'normal'), encoder.encode(JSON.stringify({ doc, route })), { msgId: `submit:${doc}` })));
    const expected = JOBS + routes.reduce((n, r) => n + r.length, 0);
    const deadline = Date.now() + 90_000;
    while (done.size < expected && Date.now() < deadline) await sleep(100);
    await sleep(300);
    recorder.stop();

    const evictions = (await Promise.all(stages.map((s) => metricValue(s.metrics, 'modelEvents', { event: 'evict' })))).reduce((a, b) => a + b, 0);
    const maxReserved = Math.max(...recorder.revisions.map((r) => r.reserved));
    const redelivered = [...done.values()].filter((count) => count > 1).length;
    console.info(`[budget-workload/runtimes] stage jobs=${done.size}/${expected} revisions=${recorder.revisions.length} maxReserved=${maxReserved}/${C} evictions=${evictions} budgetTimeoutNaks=${budgetNaks} redelivered=${redelivered}`);
    expect(done.size).toBe(expected);
    expect(maxReserved).toBeLessThanOrEqual(C);
    expect(evictions).toBeGreaterThan(0);
  }, 120_000);
});
