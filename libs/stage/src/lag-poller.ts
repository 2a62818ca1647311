import type { JetStreamManager } from '@nats-io/jetstream';
import type { Priority, StageName } from '@paperline/contracts';
import type { Logger, Metrics } from '@paperline/telemetry';

export interface ConsumerRef {
  stream: string;
  consumer: string;
  priority: Priority;
}

export interface QueueDepth {
  pending: number;
  ackPending: number;
  /** Consumer's ack_wait in ms (read once at bind). */
  ackWaitMs: number;
  maxDeliver: number;
}

/** Reads each consumer's info on a timer into pl_consumer_pending / pl_consumer_ack_pending and /status. */
export class LagPoller {
  readonly depth = new Map<Priority, QueueDepth>();
  private timer: NodeJS.Timeout | undefined;
  /** The last poll found every consumer (readiness: still bound). */
  ok = false;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly stage: StageName,
    private readonly consumers: readonly ConsumerRef[],
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  /** Reads every consumer once; throws when one is missing (the runtime is then not bound). */
  async poll(): Promise<void> {
    for (const ref of this.consumers) {
      const info = await this.jsm.consumers.info(ref.stream, ref.consumer).catch((error: unknown) => {
        this.ok = false;
        throw error;
      });
      this.depth.set(ref.priority, {
        pending: info.num_pending,
        ackPending: info.num_ack_pending,
        ackWaitMs: Math.round((info.config.ack_wait ?? 30e9) / 1e6),
        maxDeliver: info.config.max_deliver ?? -1,
      });
      this.metrics.consumerPending.set({ stage: this.stage, priority: ref.priority }, info.num_pending);
      this.metrics.consumerAckPending.set({ stage: this.stage, priority: ref.priority }, info.num_ack_pending);
    }
    this.ok = true;
  }

  start(intervalMs: number): void {
    if (intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.poll().catch((error: unknown) => this.log.warn({ err: error }, 'consumer lag poll failed'));
    }, intervalMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
