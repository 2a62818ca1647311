import type { JetStreamClient } from '@nats-io/jetstream';

/**
 * Pulls up to `count` messages from a stream's durable consumer (or an ephemeral one when
 * `consumer` is undefined), acks and parses each, and gives up after `timeoutMs`: tests then
 * assert on what arrived.
 */
export async function collectMessages<T>(
  js: JetStreamClient,
  stream: string,
  consumer: string | undefined,
  count: number,
  parse: (data: Uint8Array) => T,
  timeoutMs = 20_000,
): Promise<T[]> {
  const c = consumer ? await js.consumers.get(stream, consumer) : await js.consumers.get(stream);
  const out: T[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < deadline) {
    const m = await c.next({ expires: 1000 });
    if (!m) continue;
    out.push(parse(m.data));
    m.ack();
  }
  return out;
}
