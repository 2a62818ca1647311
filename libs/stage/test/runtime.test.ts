import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@paperline/testing';
import { StageRuntime, StageStates, type StageOptions } from '../src/index.js';
import { layoutBacklog, openBus, outputCount, publishTasks, sleep, tasks, testStage, waitFor, type TestStage } from './helpers.js';
import type { Bus } from '@paperline/bus';
import { createLogger, type Logger } from '@paperline/telemetry';
import { Writable } from 'node:stream';

describe('StageRuntime', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  const startRuntime = async (bus: Bus, handler: TestStage, options: Partial<StageOptions> = {}) => {
    const runtime = new StageRuntime(handler, { stage: 'layout', lagPollMs: 0, ...options }, { bus });
    server.defer(() => runtime.close());
    await runtime.start();
    return runtime;
  };

  it('(a) handles 1,000 messages exactly once with 4 batches of 8 in flight, and empties the stream', async () => {
    const bus = await openBus(server);
    let inflight = 0;
    let maxInflight = 0;
    const handler = testStage({
      onBatch: async () => {
        inflight++;
        maxInflight = Math.max(maxInflight, inflight);
        await sleep(5);
        inflight--;
      },
    });
    await publishTasks(bus, 'normal', tasks(1_000));
    const runtime = await startRuntime(bus, handler, { batchSize: 8, maxInflightBatches: 4 });
    await waitFor(async () => (await layoutBacklog(bus)) === 0, 30_000, 'backlog to drain');
    const counts = new Map<string, number>();
    for (const s of handler.seen) counts.set(s.id, (counts.get(s.id) ?? 0) + 1);
    expect(counts.size).toBe(1_000);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(Math.max(...handler.batches)).toBeLessThanOrEqual(8);
    expect(maxInflight).toBe(4);
    expect(await outputCount(bus)).toBe(1_000);
    const work = await bus.jsm.streams.info('PL_WORK', { subjects_filter: 'pl.work.layout.>' });
    expect(work.state.subjects ?? {}).toEqual({});
    expect(runtime.status()).toMatchObject({ state: 'ready', inflight: { batches: 0, messages: 0 } });
  });

  it('(b) a handler running 3x ack_wait is not redelivered: the runtime sends in-progress acks', async () => {
    const bus = await openBus(server, { ackWaitMs: 1_000 });
    const handler = testStage({ delayMs: 3_000 });
    await publishTasks(bus, 'normal', tasks(3));
    const runtime = await startRuntime(bus, handler, { batchSize: 8, maxBatchWaitMs: 50 });
    await waitFor(async () => (await layoutBacklog(bus)) === 0, 15_000, 'backlog to drain');
    expect(handler.seen.map((s) => s.id).sort()).toEqual(['t0', 't1', 't2']);
    expect(handler.seen.every((s) => s.deliveryCount === 1)).toBe(true);
    expect(runtime.status()['heartbeats']).toBeGreaterThan(0);
    await sleep(1_500);
    expect(handler.seen).toHaveLength(3);
  });

  it('(c) retries a transient error with growing backoff, then succeeds', async () => {
    const bus = await openBus(server);
    const handler = testStage();
    await publishTasks(bus, 'normal', [{ id: 'flaky', fail: 'transient-twice' }]);
    await startRuntime(bus, handler, { backoff: { initialMs: 200, factor: 3, jitter: 0 }, maxBatchWaitMs: 0 });
    await waitFor(async () => (await outputCount(bus)) === 1, 15_000, 'the output');
    const deliveries = handler.seen.filter((s) => s.id === 'flaky');
    expect(deliveries.map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
    const first = deliveries[1]!.at - deliveries[0]!.at;
    const second = deliveries[2]!.at - deliveries[1]!.at;
    expect(first).toBeGreaterThanOrEqual(190);
    expect(second).toBeGreaterThanOrEqual(590);
    expect(second).toBeGreaterThan(first * 2);
    expect(await layoutBacklog(bus)).toBe(0);
  });

  it('(f) two instances of one stage share the work', async () => {
    const bus = await openBus(server);
    const a = testStage({ delayMs: 10 });
    const b = testStage({ delayMs: 10 });
    await startRuntime(bus, a, { instance: 'a', batchSize: 4 });
    await startRuntime(bus, b, { instance: 'b', batchSize: 4 });
    await publishTasks(bus, 'normal', tasks(400));
    await waitFor(async () => (await layoutBacklog(bus)) === 0, 30_000, 'backlog to drain');
    const ids = [...a.seen, ...b.seen].map((s) => s.id);
    expect(new Set(ids).size).toBe(400);
    expect(ids).toHaveLength(400);
    expect(a.seen.length).toBeGreaterThan(50);
    expect(b.seen.length).toBeGreaterThan(50);
  });

  it('start() twice and an unbound stage throw; close() is memoised and ends in stopped', async () => {
    const bus = await openBus(server);
    const runtime = await startRuntime(bus, testStage());
    await expect(runtime.start()).rejects.toThrow(/start\(\) in state ready/);
    const states: string[] = [];
    runtime.onStateChange((to) => states.push(to));
    const first = runtime.close();
    expect(runtime.close()).toBe(first);
    await first;
    expect(states).toEqual(['draining', 'stopped']);
    await bus.jsm.consumers.delete('PL_WORK', 'layout-high');
    const unbound = new StageRuntime(testStage(), { stage: 'layout', lagPollMs: 0 }, { bus });
    await expect(unbound.start()).rejects.toMatchObject({ code: 'STAGE_NOT_BOUND' });
    expect(unbound.state).toBe(StageStates.FAILED);
  });

  it('(g) high-priority messages go before normal ones queued earlier', async () => {
    const bus = await openBus(server);
    const handler = testStage({ delayMs: 2 });
    await publishTasks(bus, 'normal', tasks(200, 'n'));
    await publishTasks(bus, 'high', tasks(100, 'h'));
    const runtime = await startRuntime(bus, handler, { batchSize: 8, maxInflightBatches: 2 });
    // more high work arrives while normal work is being processed
    await waitFor(() => handler.seen.some((s) => s.priority === 'normal'), 20_000, 'normal work to start');
    await publishTasks(bus, 'high', tasks(50, 'late'));
    await waitFor(async () => (await layoutBacklog(bus)) === 0, 30_000, 'backlog to drain');
    const order = handler.seen.map((s) => s.priority);
    const firstNormal = order.indexOf('normal');
    expect(order.slice(0, firstNormal).every((p) => p === 'high')).toBe(true);
    expect(firstNormal).toBe(100);
    // the late high messages overtake the normal backlog: each is handled soon after it arrived
    const lateAt = handler.seen.findIndex((s) => s.id.startsWith('late'));
    const lastLate = handler.seen.map((s) => s.id.startsWith('late')).lastIndexOf(true);
    const normalsBetween = handler.seen.slice(lateAt, lastLate).filter((s) => s.priority === 'normal').length;
    expect(normalsBetween).toBeLessThanOrEqual(8 * 3);
    expect(handler.seen.filter((s) => s.priority === 'normal').length).toBe(200);
    expect(runtime.state).toBe(StageStates.READY);
  });

  it("a message's log lines carry stage, instance and docId; its logger is built only when it logs", async () => {
    const bus = await openBus(server);
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    let children = 0;
    const counting = (logger: Logger): Logger =>
      new Proxy(logger, {
        get: (target, key, receiver) =>
          key === 'child'
            ? (...args: Parameters<Logger['child']>) => {
                children++;
                return counting(target.child(...args) as unknown as Logger);
              }
            : Reflect.get(target, key, receiver),
      });
    const handler = testStage();
    const runtime = new StageRuntime(handler, { stage: 'layout', lagPollMs: 0, instance: 'i-7', maxBatchWaitMs: 0, backoff: { initialMs: 50, jitter: 0 } }, { bus, log: counting(createLogger({ destination })) });
    server.defer(() => runtime.close());
    await runtime.start();
    const before = children;
    await publishTasks(bus, 'normal', [...tasks(50), { id: 'flaky', docId: 'doc-7', fail: 'transient-once' }]);
    await waitFor(async () => (await outputCount(bus)) === 51, 15_000, 'the outputs');
    expect(lines.find((l) => l['msg'] === 'retrying later')).toMatchObject({ stage: 'layout', instance: 'i-7', docId: 'doc-7', level: 'warn' });
    // one for the message that failed once; none for the 50 that succeeded
    expect(children - before).toBe(1);
  });
});
