import type { NatsConnection } from '@nats-io/nats-core';
import { consumerName, consumerStream, stagePriorities, type Priority, type StageName } from '@paperline/contracts';
import type { Logger } from '@paperline/telemetry';
import type { Delivery } from './delivery.js';
import { PullSource } from './pull-source.js';
import { Wake } from './wake.js';

export interface FetcherSettings {
  /** Most messages held at once (buffered, in batches, and asked for by open pulls). */
  capacity: () => number;
  /** Messages held in running batches (they count against the capacity). */
  inBatches: () => number;
  /** The buffer wakes the dispatcher when it holds a full batch. */
  batchSize: () => number;
  idlePollMs: number;
}

/**
 * Pulls a stage's consumers into one bounded buffer, strictly by priority: normal work is only
 * asked for after a `no_wait` pull on high came back short, i.e. when no high message waited at
 * that moment (or while high's long poll is open and empty), and the dispatcher always takes
 * buffered high messages first. When nothing is waiting anywhere it holds one single-message
 * long poll per consumer, then bulk-pulls again, skipping a consumer whose long poll is still open.
 */
export class Fetcher {
  readonly sources: PullSource[];
  private readonly queues = new Map<Priority, Delivery[]>();
  private fetching = false;
  private loop: Promise<void> | undefined;
  /** Space freed or fetching stopped: the pump re-checks. */
  private readonly space = new Wake();
  /** Messages arrived: the dispatcher re-checks. */
  readonly arrived = new Wake();
  private count = 0;
  private oldest: number | undefined;

  constructor(
    nc: NatsConnection,
    stage: StageName,
    private readonly settings: FetcherSettings,
    private readonly onArrival: (delivery: Delivery) => void,
    private readonly log: Logger,
  ) {
    this.sources = stagePriorities(stage).map((priority) => {
      this.queues.set(priority, []);
      return new PullSource(nc, consumerStream(stage), consumerName(stage, priority), priority, (d) => this.push(d), log);
    });
  }

  get buffered(): number {
    return this.count;
  }

  get isFetching(): boolean {
    return this.fetching;
  }

  /** When the oldest buffered message arrived (the partial-batch deadline counts from it). */
  get oldestArrival(): number | undefined {
    return this.oldest;
  }

  /** Starts (or restarts, after a pause) the pull loop. */
  start(): void {
    if (this.fetching) return;
    this.fetching = true;
    const previous = this.loop ?? Promise.resolve();
    this.loop = previous.then(() => this.pump());
  }

  /** Stops asking for messages; open long polls (at most idlePollMs) may still deliver into the buffer. */
  async stop(): Promise<void> {
    this.fetching = false;
    this.space.notify();
    await this.loop;
  }

  /** Frees pulled-but-undispatched space: call when a batch settles. */
  notifySpace(): void {
    this.space.notify();
  }

  /** Up to `n` buffered messages, high priority first. */
  take(n: number): Delivery[] {
    const out: Delivery[] = [];
    for (const queue of this.queues.values()) {
      while (out.length < n && queue.length > 0) out.push(queue.shift() as Delivery);
    }
    this.count -= out.length;
    this.oldest = this.count > 0 ? Math.min(...[...this.queues.values()].flatMap((q) => (q[0] ? [q[0].receivedAt] : []))) : undefined;
    if (out.length > 0) this.space.notify();
    return out;
  }

  /** Empties the buffer (shutdown: the caller naks these so another instance gets them at once). */
  takeAll(): Delivery[] {
    return this.take(this.count);
  }

  close(): void {
    for (const source of this.sources) source.close();
  }

  /** Ends every open pull now (see PullSource.abandonOpenPulls). */
  abandonOpenPulls(): void {
    for (const source of this.sources) source.abandonOpenPulls();
  }

  private push(delivery: Delivery): void {
    this.queues.get(delivery.priority)?.push(delivery);
    this.count++;
    this.oldest ??= delivery.receivedAt;
    this.onArrival(delivery);
    if (this.count === 1 || this.count >= this.settings.batchSize()) this.arrived.notify();
  }

  private held(): number {
    let outstanding = 0;
    for (const source of this.sources) outstanding += source.outstanding;
    return this.count + this.settings.inBatches() + outstanding;
  }

  private async pump(): Promise<void> {
    try {
      while (this.fetching) {
        const room = this.settings.capacity() - this.held();
        if (room <= 0) {
          await this.space.wait();
          continue;
        }
        let got = 0;
        for (const source of this.sources) {
          if (!this.fetching) break;
          // its open long poll answers for it (a message of a higher priority arrives there too)
          if (source.waiting) continue;
          got += await source.pullNow(room - got);
          if (got >= room) break;
        }
        if (got === 0 && this.fetching) {
          await Promise.race([...this.sources.map((s) => s.waitForOne(this.settings.idlePollMs)), this.space.wait(this.settings.idlePollMs)]);
        }
      }
    } catch (error) {
      this.log.error({ err: error }, 'fetch loop failed');
      this.fetching = false;
    }
  }
}
