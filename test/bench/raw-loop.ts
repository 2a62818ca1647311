// The raw nats.js loop the benchmarks are anchored to: N messages published (a window of PubAcks
// awaited at a time), then read back by a plain consume() + ack() loop holding up to 1,000. Its
// rate says how fast this machine and nats-server are right now, so figures from different
// machines or loads can be compared as ratios to it.
import type { Bus } from '@paperline/bus';

/** Messages the raw loop's consume() holds at most. */
export const RAW_HELD = 1_000;
const PUBLISH_WINDOW = 2_000;

export async function publishMany(bus: Bus, subject: string, n: number, tag: string): Promise<void> {
  const payload = new TextEncoder().encode(JSON.stringify({ v: 1, docId: 'bench-doc', page: 1, pad: 'x'.repeat(100) }));
  for (let i = 0; i < n; i += PUBLISH_WINDOW) {
    const batch: Array<Promise<unknown>> = [];
    for (let j = i; j < Math.min(n, i + PUBLISH_WINDOW); j++) batch.push(bus.publish(subject, payload, { msgId: `${tag}:${j}` }));
    await Promise.all(batch);
  }
}

export interface RawLoopTarget {
  stream: string;
  /** A durable pull consumer of `stream` that sees `subject`. */
  consumer: string;
  subject: string;
}

/** Publishes `n` messages to the target, then returns the consume + ack loop's rate over them in msg/s. */
export async function rawLoopRate(bus: Bus, target: RawLoopTarget, n: number, tag: string): Promise<number> {
  await publishMany(bus, target.subject, n, tag);
  const consumer = await bus.js.consumers.get(target.stream, target.consumer);
  const started = performance.now();
  const messages = await consumer.consume({ max_messages: RAW_HELD });
  let read = 0;
  for await (const m of messages) {
    m.ack();
    if (++read === n) break;
  }
  await bus.nc.flush();
  const seconds = (performance.now() - started) / 1_000;
  await messages.close();
  return n / seconds;
}
