import type { Subscription } from '@nats-io/nats-core';
import type { Bus } from '@paperline/bus';
import { DeadLetterSchema, Headers, Subjects, encode, type ErrorCode, type StageName } from '@paperline/contracts';
import type { Logger, Metrics } from '@paperline/telemetry';
import type { DeadLetterInfo, StageHandler } from './types.js';

/** Payloads up to this size travel inside the dead letter (base64); larger ones only by reference. */
const MAX_INLINE_PAYLOAD_BYTES = 16 * 1024;
/** Last failure reasons kept for the advisory path (bounded). */
const REMEMBERED_FAILURES = 1_000;

export interface FailedMessage {
  subject: string;
  stream: string;
  streamSequence: number;
  deliveryCount: number;
  data: Uint8Array;
  headers: Record<string, string>;
  code: ErrorCode;
  reason: string;
}

/** One dead letter per stream sequence: a repeat (another instance, a redelivery) is dropped by the server. */
export function deadLetterMsgId(stream: string, streamSequence: number): string {
  return `dlq:${stream}:${streamSequence}`;
}

interface MaxDeliveriesAdvisory {
  stream: string;
  consumer: string;
  stream_seq: number;
  deliveries: number;
}

/**
 * Publishes dead letters on `pl.dlq.<stage>` and tells the handler; also listens to the server's
 * MAX_DELIVERIES advisories (one instance per stage through a queue group) for messages that ran
 * out of deliveries, which stay in the work-queue stream until dead-lettered and deleted here.
 */
export class DeadLetters<T> {
  private readonly subs: Subscription[] = [];
  private readonly lastFailure = new Map<number, string>();

  constructor(
    private readonly bus: Bus,
    private readonly handler: StageHandler<T>,
    private readonly stage: StageName,
    private readonly instance: string,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  /** Remembers why a delivery failed, so an advisory handled here can say more than "max deliveries". */
  rememberFailure(streamSequence: number, reason: string): void {
    this.lastFailure.delete(streamSequence);
    this.lastFailure.set(streamSequence, reason);
    if (this.lastFailure.size > REMEMBERED_FAILURES) {
      const oldest = this.lastFailure.keys().next();
      if (!oldest.done) this.lastFailure.delete(oldest.value);
    }
  }

  /**
   * Publishes the dead letter and awaits its PubAck. Returns what to pass to `notify()`, or
   * undefined when the server had it already (another instance, an earlier attempt).
   */
  async publish(failed: FailedMessage): Promise<DeadLetterInfo | undefined> {
    this.lastFailure.delete(failed.streamSequence);
    let decoded: T | undefined;
    try {
      decoded = this.handler.decode(failed.data);
    } catch {
      // undecodable input: the dead letter carries no docId
    }
    const docId = decoded === undefined ? failed.headers[Headers.docId] : (this.handler.docIdOf?.(decoded) ?? failed.headers[Headers.docId]);
    const page = decoded === undefined ? undefined : this.handler.pageOf?.(decoded);
    const body = encode(DeadLetterSchema, {
      v: 1,
      stage: this.stage,
      code: failed.code,
      reason: failed.reason,
      docId,
      page,
      subject: failed.subject,
      stream: failed.stream,
      streamSequence: failed.streamSequence,
      deliveryCount: failed.deliveryCount,
      payload: failed.data.length <= MAX_INLINE_PAYLOAD_BYTES ? Buffer.from(failed.data).toString('base64') : undefined,
      at: new Date().toISOString(),
    });
    const headers: Record<string, string> = { ...failed.headers };
    delete headers[Headers.msgId];
    Object.assign(headers, {
      [Headers.stage]: this.stage,
      [Headers.errorCode]: failed.code,
      [Headers.errorReason]: failed.reason.replace(/[\r\n]+/g, ' ').slice(0, 512),
      [Headers.originalSubject]: failed.subject,
      [Headers.originalStream]: failed.stream,
      [Headers.originalSequence]: String(failed.streamSequence),
      [Headers.deliveryCount]: String(failed.deliveryCount),
      ...(docId ? { [Headers.docId]: docId } : {}),
    });
    const ack = await this.bus.publish(Subjects.dlq(this.stage), body, { msgId: deadLetterMsgId(failed.stream, failed.streamSequence), headers });
    this.metrics.stageMessages.inc({ stage: this.stage, outcome: 'dead_letter' });
    this.log.warn({ docId, streamSeq: failed.streamSequence, code: failed.code, reason: failed.reason }, 'dead-lettered');
    if (ack.duplicate) return undefined;
    return { stage: this.stage, code: failed.code, reason: failed.reason, docId, page, subject: failed.subject, streamSequence: failed.streamSequence };
  }

  /** A term'ed message can linger in a work-queue stream (nats-server 2.9): delete it once it is dead-lettered. */
  async remove(stream: string, streamSequence: number): Promise<void> {
    await this.bus.jsm.streams.deleteMessage(stream, streamSequence, false).catch(() => false);
  }

  /** handler.onDeadLetter, once the message is settled; its failure is logged, never retried. */
  async notify(info: DeadLetterInfo | undefined): Promise<void> {
    if (!info) return;
    try {
      await this.handler.onDeadLetter?.(info);
    } catch (error) {
      this.log.error({ err: error, docId: info.docId }, 'onDeadLetter failed');
    }
  }

  /** Subscribes to the MAX_DELIVERIES advisories of the given consumers. */
  watchAdvisories(consumers: ReadonlyArray<{ stream: string; consumer: string }>): void {
    for (const { stream, consumer } of consumers) {
      const sub = this.bus.nc.subscribe(Subjects.maxDeliveriesAdvisory(stream, consumer), {
        queue: `pl-dlq-${this.stage}`,
        callback: (error, msg) => {
          if (error) return;
          let advisory: MaxDeliveriesAdvisory;
          try {
            advisory = msg.json<MaxDeliveriesAdvisory>();
          } catch {
            return;
          }
          this.onMaxDeliveries(advisory).catch((e: unknown) => this.log.error({ err: e, streamSeq: advisory.stream_seq }, 'max-deliveries dead letter failed'));
        },
      });
      this.subs.push(sub);
    }
  }

  close(): void {
    for (const sub of this.subs.splice(0)) {
      try {
        sub.unsubscribe();
      } catch {
        // the connection is already closed
      }
    }
  }

  private async onMaxDeliveries(advisory: MaxDeliveriesAdvisory): Promise<void> {
    const stored = await this.bus.jsm.streams.getMessage(advisory.stream, { seq: advisory.stream_seq }).catch(() => null);
    if (!stored) return; // another instance dead-lettered and deleted it already
    const headers: Record<string, string> = {};
    if (stored.header) for (const key of stored.header.keys()) headers[key] = stored.header.get(key);
    const last = this.lastFailure.get(advisory.stream_seq);
    const info = await this.publish({
      subject: stored.subject,
      stream: advisory.stream,
      streamSequence: advisory.stream_seq,
      deliveryCount: advisory.deliveries,
      data: stored.data,
      headers,
      code: 'MAX_DELIVERIES',
      reason: `delivered ${advisory.deliveries} times without success${last ? `; last error: ${last}` : ''}`,
    });
    await this.remove(advisory.stream, advisory.stream_seq);
    await this.notify(info);
  }
}
