import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '@paperline/bus';
import { DeadLetterSchema, Headers, Streams, Subjects, decode, type DeadLetter } from '@paperline/contracts';
import { startTestServer, type TestServer } from '@paperline/testing';
import { StageRuntime, type StageOptions } from '../src/index.js';
import { layoutBacklog, openBus, outputCount, publishTasks, sleep, testStage, waitFor, type TestStage } from './helpers.js';

async function deadLetters(bus: Bus): Promise<Array<{ letter: DeadLetter; headers: Record<string, string> }>> {
  const info = await bus.jsm.streams.info(Streams.dlq);
  const out: Array<{ letter: DeadLetter; headers: Record<string, string> }> = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await bus.jsm.streams.getMessage(Streams.dlq, { seq });
    if (!m) continue;
    const headers: Record<string, string> = {};
    if (m.header) for (const k of m.header.keys()) headers[k] = m.header.get(k);
    out.push({ letter: decode(DeadLetterSchema, m.data), headers });
  }
  return out;
}

describe('dead letters', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  const startRuntime = async (bus: Bus, handler: TestStage, options: Partial<StageOptions> = {}) => {
    const runtime = new StageRuntime(handler, { stage: 'layout', lagPollMs: 0, maxBatchWaitMs: 5, ...options }, { bus });
    server.defer(() => runtime.close());
    await runtime.start();
    return runtime;
  };

  it('(d) a bad-input error ends in PL_DLQ with its reason, and the stage goes on with other messages', async () => {
    const bus = await openBus(server);
    const handler = testStage();
    await publishTasks(bus, 'normal', [{ id: 'ok1' }, { id: 'bad', docId: 'doc-bad-1', page: 3, fail: 'terminal' }, { id: 'ok2' }]);
    await bus.publish(Subjects.work('layout', 'normal'), new TextEncoder().encode('{not json'), { msgId: 'garbage', headers: { 'X-Trace': 'abc' } });
    await startRuntime(bus, handler);
    await waitFor(async () => (await layoutBacklog(bus)) === 0 && handler.deadLetters.length === 2, 15_000, 'dead letters');
    expect(await outputCount(bus)).toBe(2);
    const letters = await deadLetters(bus);
    expect(letters).toHaveLength(2);
    const bad = letters.find((l) => l.letter.code === 'CORRUPT_PDF');
    expect(bad?.letter).toMatchObject({ stage: 'layout', docId: 'doc-bad-1', page: 3, subject: Subjects.work('layout', 'normal'), stream: Streams.work, deliveryCount: 1 });
    expect(bad?.letter.reason).toContain('test bad');
    expect(bad?.headers[Headers.errorCode]).toBe('CORRUPT_PDF');
    expect(bad?.headers[Headers.docId]).toBe('doc-bad-1');
    const garbage = letters.find((l) => l.letter.code === 'INVALID_MESSAGE');
    expect(garbage?.headers['X-Trace']).toBe('abc');
    expect(Buffer.from(garbage?.letter.payload ?? '', 'base64').toString()).toBe('{not json');
    expect(handler.deadLetters).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'CORRUPT_PDF', docId: 'doc-bad-1' }), expect.objectContaining({ code: 'INVALID_MESSAGE' })]));
    // the bad input was handled once, not retried
    expect(handler.seen.filter((s) => s.id === 'bad')).toHaveLength(1);
  });

  it('(d) max_deliver exhausted: the MAX_DELIVERIES advisory dead-letters it once, across two instances, and deletes it', async () => {
    const bus = await openBus(server, { maxDeliver: 2 });
    const a = testStage();
    const b = testStage();
    const backoff = { initialMs: 50, jitter: 0 };
    await startRuntime(bus, a, { instance: 'a', backoff });
    await startRuntime(bus, b, { instance: 'b', backoff });
    await publishTasks(bus, 'normal', [{ id: 'doomed', docId: 'doc-doomed', fail: 'transient' }, { id: 'fine' }]);
    await waitFor(async () => (await deadLetters(bus)).length === 1, 15_000, 'the dead letter');
    await waitFor(async () => (await layoutBacklog(bus)) === 0, 10_000, 'the message to be deleted');
    await sleep(300);
    const [letter] = await deadLetters(bus);
    expect(letter?.letter).toMatchObject({ code: 'MAX_DELIVERIES', docId: 'doc-doomed', deliveryCount: 2 });
    expect(letter?.letter.reason).toMatch(/delivered 2 times/);
    expect([...a.deadLetters, ...b.deadLetters]).toHaveLength(1);
    expect([...a.seen, ...b.seen].filter((s) => s.id === 'doomed')).toHaveLength(2);
    const work = await bus.jsm.streams.info(Streams.work, { subjects_filter: 'pl.work.layout.>' });
    expect(work.state.subjects ?? {}).toEqual({});
  });
});
