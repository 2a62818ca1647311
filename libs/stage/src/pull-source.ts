import { newInbox } from '@paperline/bus';
import { nanos, type Msg, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import type { Priority } from '@paperline/contracts';
import type { Logger } from '@paperline/telemetry';
import { Delivery, parseAckSubject } from './delivery.js';

const encoder = new TextEncoder();
/**
 * A pull whose end (status or last message) never came is given up this long after it should
 * have ended. Besides reconnects, nats-server 2.9.10 now and then drops a long poll at its expiry
 * without the 408 when a message arrives at that moment: the message stays in the stream, and
 * until the pull is given up the source is not asked again (about once in 180 rounds of
 * bench:parse, a 5 s stall of every document when this was 5 s). A pull given up too early costs
 * one more request; whatever it still brings is delivered.
 */
const LOST_PULL_SLACK_MS = 1_000;

/** The body of a JetStream pull request, as far as the lanes send one. */
interface PullRequest {
  batch: number;
  no_wait?: boolean;
  expires?: number;
}

interface OpenPull {
  batch: number;
  delivered: number;
  timer: NodeJS.Timeout;
  resolve: (delivered: number) => void;
}

/**
 * One subscription carrying at most one open pull request at a time. JetStream delivers a pull's
 * messages under their stream subject (only the server's status replies use the inbox), so the
 * subscription, not the subject, says which request a message belongs to.
 */
class PullLane {
  private readonly inbox: string;
  private sub: Subscription | undefined;
  private open: OpenPull | undefined;

  constructor(
    private readonly source: PullSource,
    private readonly nc: NatsConnection,
  ) {
    this.inbox = newInbox(nc);
  }

  get outstanding(): number {
    return this.open ? this.open.batch - this.open.delivered : 0;
  }

  get busy(): boolean {
    return this.open !== undefined;
  }

  request(body: PullRequest, lostAfterMs: number): Promise<number> {
    this.sub ??= this.nc.subscribe(this.inbox, { callback: (error, msg) => (error ? this.source.onError(error) : this.receive(msg)) });
    return new Promise<number>((resolve) => {
      const open: OpenPull = {
        batch: body.batch,
        delivered: 0,
        resolve,
        timer: setTimeout(() => {
          this.source.onLost(body, open.delivered);
          this.finish();
        }, lostAfterMs),
      };
      this.open = open;
      try {
        this.nc.publish(this.source.api, encoder.encode(JSON.stringify(body)), { reply: this.inbox });
      } catch (error) {
        this.source.onError(error as Error);
        this.finish();
      }
    });
  }

  close(): void {
    try {
      this.sub?.unsubscribe();
    } catch {
      // the connection is already closed
    }
    this.sub = undefined;
    this.finish();
  }

  /** Ends the open pull now, as if it had been lost; anything it still brings is delivered. */
  abandon(): void {
    this.finish();
  }

  private receive(msg: Msg): void {
    const info = msg.reply ? parseAckSubject(msg.reply) : undefined;
    if (!info) {
      const code = msg.headers?.code ?? 0;
      if (code === 100) return; // idle heartbeat
      if (code !== 404 && code !== 408) this.source.onStatus(`${code} ${msg.headers?.description ?? ''}`.trim());
      this.finish();
      return;
    }
    // a message of a pull given up as lost still arrives here and is delivered, never dropped
    const open = this.open;
    if (open) open.delivered++;
    this.source.deliver(msg, info);
    if (open && open.delivered >= open.batch) this.finish();
  }

  private finish(): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    clearTimeout(open.timer);
    open.resolve(open.delivered);
  }
}

/**
 * Raw JetStream pull requests on one durable consumer: a `no_wait` lane ("what is there right
 * now?", answered at once with the messages or a 404) and a long-poll lane for one message while
 * idle. Knowing exactly when a `no_wait` pull ended is what lets the fetcher take normal work
 * only when no high message waits.
 */
export class PullSource {
  readonly api: string;
  private readonly now: PullLane;
  private readonly idle: PullLane;
  private idleWait: Promise<number> | undefined;
  /** The last pull status other than 404/408 (e.g. "409 Consumer Deleted"), for /status. */
  lastProblem: string | undefined;

  constructor(
    private readonly nc: NatsConnection,
    readonly stream: string,
    readonly consumer: string,
    readonly priority: Priority,
    private readonly onDelivery: (delivery: Delivery) => void,
    private readonly log: Logger,
  ) {
    this.api = `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`;
    this.now = new PullLane(this, nc);
    this.idle = new PullLane(this, nc);
  }

  /**
   * A long poll is open and has not delivered: the server hands it any message the consumer gets,
   * so the consumer has none waiting (short of one on its way) and a `no_wait` pull would come
   * back empty.
   */
  get waiting(): boolean {
    return this.idle.busy;
  }

  /** Messages asked for by open pulls and not yet arrived. */
  get outstanding(): number {
    return this.now.outstanding + this.idle.outstanding;
  }

  /** Takes what is there now, up to `batch`; resolves with how many came once the server says it is done. */
  pullNow(batch: number): Promise<number> {
    if (this.now.busy) return Promise.resolve(0);
    return this.now.request({ batch, no_wait: true }, LOST_PULL_SLACK_MS);
  }

  /** One open pull for a single message; at most one per source, shared by callers. */
  waitForOne(expiresMs: number): Promise<number> {
    this.idleWait ??= this.idle.request({ batch: 1, expires: nanos(expiresMs) }, expiresMs + LOST_PULL_SLACK_MS).finally(() => {
      this.idleWait = undefined;
    });
    return this.idleWait;
  }

  /** Ends both lanes' open pulls without waiting for their end (sent before the connection dropped, they will not get one). */
  abandonOpenPulls(): void {
    this.now.abandon();
    this.idle.abandon();
  }

  close(): void {
    this.now.close();
    this.idle.close();
  }

  deliver(msg: Msg, info: NonNullable<ReturnType<typeof parseAckSubject>>): void {
    this.onDelivery(new Delivery(this.nc, msg, info, this.priority, Date.now()));
  }

  onStatus(status: string): void {
    this.lastProblem = status;
    this.log.warn({ consumer: this.consumer, status }, 'pull request ended by the server');
  }

  onLost(request: PullRequest, delivered: number): void {
    this.log.info({ consumer: this.consumer, request, delivered }, 'pull request given up: the server never ended it');
  }

  onError(error: Error): void {
    this.lastProblem = error.message;
    this.log.warn({ err: error, consumer: this.consumer }, 'pull failed');
  }
}
