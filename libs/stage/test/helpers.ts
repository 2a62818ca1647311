// Shared fixtures of the stage runtime tests: a generic 'layout' test stage and bus helpers.
import { z } from 'zod';
import { Bus, buildTopology, provisionTopology, type ConnectOptions, type TopologyOptions } from '@paperline/bus';
import { Headers, PaperlineError, Streams, Subjects, consumerName, decode, type Priority } from '@paperline/contracts';
import type { TestServer } from '@paperline/testing';
import type { JobOutcome, StageHandler, StageMessage } from '../src/index.js';

export const TestTaskSchema = z.object({
  id: z.string(),
  docId: z.string().optional(),
  page: z.number().int().optional(),
  /** How the test handler treats the message. */
  fail: z.enum(['terminal', 'transient', 'transient-once', 'transient-twice']).optional(),
});
export type TestTask = z.infer<typeof TestTaskSchema>;

export const OUTPUT_SUBJECT = Subjects.work('assemble', 'normal');

export interface TestStage extends StageHandler<TestTask> {
  /** Every handled message, in order: id and priority. */
  readonly seen: Array<{ id: string; priority: Priority; deliveryCount: number; at: number }>;
  readonly batches: number[];
  releases: number;
  deadLetters: Array<{ code: string; reason: string; docId: string | undefined }>;
}

/** A 'layout' stage that publishes one output per input (or fails as the input asks). */
export function testStage(options: { delayMs?: number; onBatch?: (batch: ReadonlyArray<StageMessage<TestTask>>) => Promise<void> } = {}): TestStage {
  const stage: TestStage = {
    stage: 'layout',
    seen: [],
    batches: [],
    releases: 0,
    deadLetters: [],
    decode: (data) => decode(TestTaskSchema, data),
    docIdOf: (task) => task.docId,
    pageOf: (task) => task.page,
    async handleBatch(batch, ctx): Promise<JobOutcome[]> {
      stage.batches.push(batch.length);
      for (const m of batch) stage.seen.push({ id: m.data.id, priority: m.priority, deliveryCount: m.deliveryCount, at: Date.now() });
      await options.onBatch?.(batch);
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      void ctx;
      return batch.map((m) => {
        const fail = m.data.fail;
        if (fail === 'terminal') return { error: new PaperlineError('CORRUPT_PDF', `test ${m.data.id}`) };
        if (fail === 'transient') return { error: new PaperlineError('TRANSIENT', `test ${m.data.id}`) };
        if (fail === 'transient-once' && m.deliveryCount < 2) return { error: new PaperlineError('TRANSIENT', 'once') };
        if (fail === 'transient-twice' && m.deliveryCount < 3) return { error: new PaperlineError('TRANSIENT', 'twice') };
        return { outputs: [{ subject: OUTPUT_SUBJECT, data: new TextEncoder().encode(JSON.stringify({ id: m.data.id })), msgId: `out:${m.data.id}` }] };
      });
    },
    async release() {
      stage.releases++;
    },
    async onDeadLetter(info) {
      stage.deadLetters.push({ code: info.code, reason: info.reason, docId: info.docId });
    },
    status: () => ({ test: true }),
  };
  return stage;
}

export async function openBus(server: TestServer, topology: TopologyOptions = {}, connect: Partial<ConnectOptions> = {}): Promise<Bus> {
  const bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false, ...connect });
  server.defer(() => bus.close());
  await provisionTopology(bus.nc, buildTopology(topology));
  return bus;
}

export async function publishTasks(bus: Bus, priority: Priority, tasks: TestTask[]): Promise<void> {
  const window = 256;
  for (let i = 0; i < tasks.length; i += window) {
    await Promise.all(
      tasks.slice(i, i + window).map((t) =>
        bus.publish(Subjects.work('layout', priority), new TextEncoder().encode(JSON.stringify(t)), { msgId: `in:${priority}:${t.id}`, headers: t.docId ? { [Headers.docId]: t.docId } : {} }),
      ),
    );
  }
}

export const tasks = (n: number, prefix = 't'): TestTask[] => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}` }));

/** Messages of the layout consumers not yet acked (pending plus delivered-unacked). */
export async function layoutBacklog(bus: Bus): Promise<number> {
  let n = 0;
  for (const priority of ['high', 'normal'] as const) {
    const info = await bus.jsm.consumers.info(Streams.work, consumerName('layout', priority));
    n += info.num_pending + info.num_ack_pending;
  }
  return n;
}

export async function outputCount(bus: Bus): Promise<number> {
  const info = await bus.jsm.consumers.info(Streams.work, consumerName('assemble', 'normal'));
  return info.num_pending;
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
