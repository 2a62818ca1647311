import { JetStreamError, type JetStreamClient } from '@nats-io/jetstream';

/**
 * How long each pull waits. nats.js watches a pull with server heartbeats at half this and fails
 * it after two are missed, which an event loop held up on a busy machine also looks like, so the
 * pull is long and a missed-heartbeats failure is pulled again within the deadline.
 */
const PULL_EXPIRES_MS = 5_000;

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
    const m = await c.next({ expires: Math.min(PULL_EXPIRES_MS, Math.max(1_000, deadline - Date.now())) }).catch((error: unknown) => {
      if (error instanceof JetStreamError && error.message === 'heartbeats missed') return null;
      throw error;
    });
    if (!m) continue;
    out.push(parse(m.data));
    m.ack();
  }
  return out;
}
