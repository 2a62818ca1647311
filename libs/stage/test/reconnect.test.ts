import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Streams } from '@paperline/contracts';
import { startTestServer, type TestServer } from '@paperline/testing';
import { StageRuntime } from '../src/index.js';
import { OUTPUT_SUBJECT, layoutBacklog, openBus, outputCount, publishTasks, sleep, tasks, testStage, waitFor } from './helpers.js';

describe('a stage whose nats-server restarts', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  it('takes new work as soon as it has reconnected, not after the pulls the restart lost have timed out', async () => {
    const bus = await openBus(server, {}, { reconnectTimeWaitMs: 100 });
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
    // a lost long poll ends after its expiry plus LOST_PULL_SLACK_MS (pull-source.ts), or when the idle wait (idlePollMs) runs out
    expect(Date.now() - publishedAt).toBeLessThan(1_000);
    await waitFor(async () => (await outputCount(bus)) === 10, 10_000, 'all outputs');
    expect(runtime.ready()).toBe(true);
  });

  it('mid-run loses no message and stores no output twice', async () => {
    // acks and PubAcks in flight at the restart are lost: the messages come back after ack_wait
    const bus = await openBus(server, { ackWaitMs: 2_000 }, { reconnectTimeWaitMs: 100 });
    const handler = testStage({ delayMs: 5 });
    const runtime = new StageRuntime(handler, { stage: 'layout', lagPollMs: 0, batchSize: 16, maxInflightBatches: 4 }, { bus });
    server.defer(() => runtime.close());
    await runtime.start();
    await publishTasks(bus, 'normal', tasks(3_000));
    await waitFor(() => handler.seen.length > 800, 20_000, 'a third of the work');

    await server.restart();
    await waitFor(async () => bus.connected && (await layoutBacklog(bus)) === 0, 60_000, 'the backlog to drain');
    expect(new Set(handler.seen.map((s) => s.id)).size).toBe(3_000);
    const outputs = await bus.jsm.streams.info(Streams.work, { subjects_filter: OUTPUT_SUBJECT });
    expect(outputs.state.subjects?.[OUTPUT_SUBJECT]).toBe(3_000);
  });
});
