import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Streams, consumerName } from '@paperline/contracts';
import { startTestServer, type TestServer } from '@paperline/testing';
import { StageRuntime } from '../src/index.js';
import { layoutBacklog, openBus, publishTasks, tasks, testStage, waitFor } from './helpers.js';

const childFile = fileURLToPath(new URL('./stage-child.ts', import.meta.url));

function startChild(url: string, graceMs: number, batchDelayMs: number): { child: ChildProcess; batches: () => number; exit: Promise<{ code: number | null; at: number }>; stderr: () => string } {
  const child = spawn(process.execPath, ['--conditions=@paperline/source', '--import', 'tsx', childFile, url, 'child', String(graceMs), String(batchDelayMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  return { child, batches: () => (out.match(/^batch /gm) ?? []).length, exit, stderr: () => err };
}

describe('(e) SIGTERM in the middle of a batch', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  async function outputIds(bus: Awaited<ReturnType<typeof openBus>>): Promise<Set<string>> {
    const ids = new Set<string>();
    const info = await bus.jsm.streams.info(Streams.work, { subjects_filter: 'pl.work.assemble.normal' });
    const consumer = await bus.js.consumers.get(Streams.work, consumerName('assemble', 'normal'));
    const n = info.state.subjects?.['pl.work.assemble.normal'] ?? 0;
    if (n === 0) return ids;
    const messages = await consumer.fetch({ max_messages: n, expires: 2_000 });
    for await (const m of messages) {
      ids.add((m.json() as { id: string }).id);
      if (ids.size === n) break;
    }
    return ids;
  }

  it.each([
    ['finishes its in-flight batches within the grace period', 10_000, 400],
    ['naks in-flight work when the grace period runs out', 500, 4_000],
  ])('%s, exits 0, and loses nothing', async (_name, graceMs, batchDelayMs) => {
    const bus = await openBus(server);
    await publishTasks(bus, 'normal', tasks(120));
    const { child, batches, exit, stderr } = startChild(server.url, graceMs, batchDelayMs);
    server.defer(() => child.kill('SIGKILL'));
    await waitFor(() => batches() >= 3, 30_000, 'the child to start batches');
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const { code, at } = await exit;
    expect(code, stderr()).toBe(0);
    // grace, plus the open long poll (idlePollMs) and the connection drain
    expect(at - signalledAt).toBeLessThan(graceMs + 3_000);
    if (graceMs < batchDelayMs) expect(stderr()).toContain('grace period over');

    // another instance takes over whatever the child did not ack
    const handler = testStage();
    const runtime = new StageRuntime(handler, { stage: 'layout', instance: 'survivor', batchSize: 32, lagPollMs: 0 }, { bus });
    server.defer(() => runtime.close());
    await runtime.start();
    await waitFor(async () => (await layoutBacklog(bus)) === 0, 30_000, 'the survivor to finish');
    const ids = await outputIds(bus);
    expect(ids.size).toBe(120);
    expect(handler.seen.length).toBeGreaterThan(0);
    expect(handler.seen.length).toBeLessThan(120);
  });

  it('exits 0 at once when its nats-server is gone, instead of waiting out pulls, flushes and the drain', async () => {
    const doomed = await startTestServer();
    server.defer(() => doomed.stop());
    const bus = await openBus(doomed);
    await publishTasks(bus, 'normal', tasks(8));
    const { child, batches, exit, stderr } = startChild(doomed.url, 10_000, 50);
    server.defer(() => child.kill('SIGKILL'));
    await waitFor(() => batches() >= 1, 30_000, 'the child to start batches');
    await waitFor(async () => (await layoutBacklog(bus)) === 0, 30_000, 'the child to finish the work');
    await bus.close();
    await doomed.stop();
    // the child notices the disconnect (its long poll and ping fail) within a moment
    await new Promise((r) => setTimeout(r, 1_000));
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const { code, at } = await exit;
    expect(code, stderr()).toBe(0);
    // it took 11-15 s when every step waited for a server that was not there
    expect(at - signalledAt).toBeLessThan(2_000);
  });
});
