import type { Msg, NatsConnection } from '@nats-io/nats-core';
import type { Priority } from '@paperline/contracts';

const encoder = new TextEncoder();
const ACK = encoder.encode('+ACK');
const NAK = encoder.encode('-NAK');
const WPI = encoder.encode('+WPI');

/** Delivery info from a JetStream ack subject (`$JS.ACK.[domain.hash.]stream.consumer.delivered.sseq.cseq.ts.pending[.token]`). */
export interface AckInfo {
  stream: string;
  consumer: string;
  deliveryCount: number;
  streamSequence: number;
  pending: number;
}

export function parseAckSubject(reply: string): AckInfo | undefined {
  const t = reply.split('.');
  if (t[0] !== '$JS' || t[1] !== 'ACK') return undefined;
  // v1 subjects have 9 tokens; v2 add domain and account hash after ACK (and may end with a token)
  const base = t.length === 9 ? 2 : t.length >= 11 ? 4 : -1;
  if (base < 0) return undefined;
  return {
    stream: t[base] as string,
    consumer: t[base + 1] as string,
    deliveryCount: Number(t[base + 2]),
    streamSequence: Number(t[base + 3]),
    pending: Number(t[base + 6]),
  };
}

/**
 * One message delivered by a pull request. Settles at most once (ack, nak or term), so a late
 * handler result after a shutdown nak cannot ack a message another instance now holds.
 */
export class Delivery {
  private done = false;
  /** Last in-progress ack (or the arrival), for the heartbeat tracker. */
  lastBeatAt: number;

  constructor(
    private readonly nc: NatsConnection,
    readonly msg: Msg,
    readonly info: AckInfo,
    readonly priority: Priority,
    readonly receivedAt: number,
  ) {
    this.lastBeatAt = receivedAt;
  }

  get settled(): boolean {
    return this.done;
  }

  get reply(): string {
    return this.msg.reply ?? '';
  }

  headers(): Record<string, string> {
    const out: Record<string, string> = {};
    const h = this.msg.headers;
    if (!h) return out;
    for (const key of h.keys()) out[key] = h.get(key);
    return out;
  }

  ack(): boolean {
    return this.settle(ACK);
  }

  nak(delayMs = 0): boolean {
    return this.settle(delayMs > 0 ? encoder.encode(`-NAK ${JSON.stringify({ delay: Math.round(delayMs * 1e6) })}`) : NAK);
  }

  term(reason: string): boolean {
    return this.settle(encoder.encode(`+TERM ${reason.replace(/[\r\n]+/g, ' ').slice(0, 512)}`));
  }

  working(now: number): void {
    if (this.done) return;
    this.lastBeatAt = now;
    this.nc.publish(this.reply, WPI);
  }

  private settle(payload: Uint8Array): boolean {
    if (this.done) return false;
    this.done = true;
    this.nc.publish(this.reply, payload);
    return true;
  }
}
