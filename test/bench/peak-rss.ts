import { readFileSync } from 'node:fs';

/** Resident set of a process in bytes from /proc (Linux); undefined when it cannot be read. */
export function processRss(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Samples the RSS of this process and of helper processes (the embedded nats-server) and keeps
 * the peak of their sum, the footprint a user of the embedded default actually pays.
 */
export class PeakRss {
  private timer: NodeJS.Timeout | undefined;
  peakSelf = 0;
  peakTotal = 0;

  constructor(
    private readonly otherPids: number[],
    private readonly intervalMs = 100,
  ) {}

  sample(): void {
    const self = process.memoryUsage.rss();
    const others = this.otherPids.reduce((sum, pid) => sum + (processRss(pid) ?? 0), 0);
    this.peakSelf = Math.max(this.peakSelf, self);
    this.peakTotal = Math.max(this.peakTotal, self + others);
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  report(): string {
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
    const maxRss = process.resourceUsage().maxRSS * 1024;
    return `peak RSS: pipeline process ${mb(Math.max(this.peakSelf, maxRss))}, with nats-server ${mb(this.peakTotal)}`;
  }
}
