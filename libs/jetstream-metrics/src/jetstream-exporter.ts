// The JetStream state as the server keeps it, read through the JetStream API on a timer: every
// stream's storage, every durable consumer's lag, ack pending, redeliveries and waiting pulls, and the
// dead letters per stage. A stage that reports its own lag (pl_consumer_pending) stops reporting
// when its last process is gone; these series do not, so "pending > 0 and nobody pulling" can
// be alerted on. The API answers like /jsz?consumers=true does, on the connection paperline
// already has, so no monitoring port needs to be reachable.
import type { JetStreamManager } from '@nats-io/jetstream';
import { PRIORITIES, STAGES, Streams } from '@paperline/contracts';
import type { Logger, Metrics } from '@paperline/telemetry';

export const DEFAULT_JETSTREAM_POLL_MS = 5_000;

export interface JetStreamExporterOptions {
  jsm: JetStreamManager;
  metrics: Metrics;
  /** @default DEFAULT_JETSTREAM_POLL_MS */
  intervalMs?: number;
  log?: Logger;
}

interface ConsumerReading {
  labels: { stream: string; consumer: string; stage: string; priority: string };
  pending: number;
  ackPending: number;
  redelivered: number;
  waiting: number;
}

interface Reading {
  streams: { stream: string; messages: number; bytes: number }[];
  consumers: ConsumerReading[];
  deadLetters: Map<string, number>;
}

const CONSUMER_NAME = new RegExp(`^(${STAGES.join('|')})-(${PRIORITIES.join('|')})$`);
const DLQ_SUBJECT = /^pl\.dlq\.([^.]+)$/;

/** Stage and priority of a paperline consumer (`<stage>-<priority>`); empty for any other consumer. */
export function consumerLabels(consumer: string): { stage: string; priority: string } {
  const match = CONSUMER_NAME.exec(consumer);
  return { stage: match?.[1] ?? '', priority: match?.[2] ?? '' };
}

export class JetStreamExporter {
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly options: JetStreamExporterOptions) {}

  /** Reads once at once, then every intervalMs (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs ?? DEFAULT_JETSTREAM_POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One read of the whole state; overlapping calls share it. A failed read sets pl_jetstream_up to 0 and keeps the last figures. */
  poll(): Promise<void> {
    this.polling ??= this.read()
      .then((reading) => this.publish(reading))
      .catch((error: unknown) => {
        this.options.metrics.jetstreamUp.set(0);
        this.options.log?.warn({ err: error }, 'reading the JetStream state failed');
      })
      .finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async read(): Promise<Reading> {
    const { jsm } = this.options;
    const reading: Reading = { streams: [], consumers: [], deadLetters: new Map() };
    for await (const info of jsm.streams.list()) {
      const stream = info.config.name;
      reading.streams.push({ stream, messages: info.state.messages, bytes: info.state.bytes });
      for await (const c of jsm.consumers.list(stream)) {
        // ephemeral consumers (every process's KV watchers) come and go under random names: as
        // series they would only churn, and each process would report a different set
        if (!c.config.durable_name) continue;
        reading.consumers.push({
          labels: { stream, consumer: c.name, ...consumerLabels(c.name) },
          pending: c.num_pending,
          ackPending: c.num_ack_pending,
          redelivered: c.num_redelivered,
          waiting: c.num_waiting,
        });
      }
    }
    const dlq = await jsm.streams.info(Streams.dlq, { subjects_filter: '>' }).catch(() => undefined);
    for (const [subject, count] of Object.entries(dlq?.state.subjects ?? {})) {
      const stage = DLQ_SUBJECT.exec(subject)?.[1];
      if (stage) reading.deadLetters.set(stage, (reading.deadLetters.get(stage) ?? 0) + count);
    }
    return reading;
  }

  /** Replaces every series at once, so a deleted stream or consumer disappears. */
  private publish(reading: Reading): void {
    const m = this.options.metrics;
    const gauges = [m.jetstreamStreamMessages, m.jetstreamStreamBytes, m.jetstreamConsumerPending, m.jetstreamConsumerAckPending, m.jetstreamConsumerRedelivered, m.jetstreamConsumerWaiting, m.jetstreamDeadLetters];
    for (const gauge of gauges) gauge.reset();
    for (const s of reading.streams) {
      m.jetstreamStreamMessages.set({ stream: s.stream }, s.messages);
      m.jetstreamStreamBytes.set({ stream: s.stream }, s.bytes);
    }
    for (const c of reading.consumers) {
      m.jetstreamConsumerPending.set(c.labels, c.pending);
      m.jetstreamConsumerAckPending.set(c.labels, c.ackPending);
      m.jetstreamConsumerRedelivered.set(c.labels, c.redelivered);
      m.jetstreamConsumerWaiting.set(c.labels, c.waiting);
    }
    // every stage has a dead-letter series, 0 until it writes one
    for (const stage of STAGES) m.jetstreamDeadLetters.set({ stage }, reading.deadLetters.get(stage) ?? 0);
    m.jetstreamUp.set(1);
  }
}
