import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { startTestServer, type TestServer } from '@paperline/testing';
import { StageRuntime } from '../src/index.js';
import { outputCount, publishTasks, sleep, tasks, testStage, waitFor } from './helpers.js';

describe('a stage whose nats-server restarts', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('takes new work as soon as it has reconnected, not after the pulls the restart lost have timed out', async () => {
    const bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false, reconnectTimeWaitMs: 100 });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    const handler = testStage();
    // long polls of 3 s: the stage, idle, waits on them and on nothing else when the restart comes
    const runtime = new StageRuntime(handler, { stage: 'layout', lagPollMs: 0, maxBatchWaitMs: 0, idlePollMs: 3_000 }, { bus });
    server.defer(() => runtime.close());
    await runtime.start();
    await publishTasks(bus, 'normal', tasks(5, 'before'));
    await waitFor(() => handler.seen.length === 5, 10_000, 'the work before the restart');
    // idle now: a long poll per consumer is open, and the restart loses them
    await sleep(100);

    await server.restart();
    await waitFor(() => bus.connected, 10_000, 'the reconnect');
    const publishedAt = Date.now();
    await publishTasks(bus, 'normal', tasks(5, 'after'));
    await waitFor(() => handler.seen.filter((s) => s.id.startsWith('after')).length === 5, 10_000, 'the work after the restart');
    // a lost long poll ends after its expiry plus 5 s of slack, or when the idle wait (idlePollMs) runs out
    expect(Date.now() - publishedAt).toBeLessThan(1_000);
    await waitFor(async () => (await outputCount(bus)) === 10, 10_000, 'all outputs');
    expect(runtime.ready()).toBe(true);
  });
});
