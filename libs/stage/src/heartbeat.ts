import type { Delivery } from './delivery.js';

/**
 * Keeps every held message's lease: one timer for all of them, ticking at half the interval,
 * sends an in-progress ack to each message whose last one is at least `intervalMs` old. A message
 * is held from its arrival (buffered or in a batch) until it is settled and removed.
 */
export class HeartbeatTracker {
  private readonly held = new Set<Delivery>();
  private timer: NodeJS.Timeout | undefined;
  /** In-progress acks sent so far (status, tests). */
  beats = 0;

  constructor(private readonly intervalMs: number) {}

  add(delivery: Delivery): void {
    this.held.add(delivery);
    this.timer ??= setInterval(() => this.tick(), Math.max(5, Math.floor(this.intervalMs / 2))).unref();
  }

  delete(delivery: Delivery): void {
    this.held.delete(delivery);
    if (this.held.size === 0) this.stop();
  }

  get size(): number {
    return this.held.size;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = Date.now();
    for (const delivery of this.held) {
      if (delivery.settled) {
        this.held.delete(delivery);
      } else if (now - delivery.lastBeatAt >= this.intervalMs) {
        delivery.working(now);
        this.beats++;
      }
    }
  }
}
