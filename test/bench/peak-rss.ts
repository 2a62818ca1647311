import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Resident set of a process in bytes from /proc (Linux); undefined when it cannot be read. */
export function processRss(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** This process's child processes (the embedded nats-server, render's render processes), from /proc (Linux). */
export function childPids(): number[] {
  try {
    return readdirSync('/proc/self/task').flatMap((tid) =>
      readFileSync(`/proc/self/task/${tid}/children`, 'utf8')
        .split(' ')
        .filter((pid) => pid.trim() !== '')
        .map(Number),
    );
  } catch {
    return [];
  }
}

let clockTicks: number | undefined;

/** CPU time (user + system) a process has used, in ms, from /proc (Linux); undefined when it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / clockTicks) * 1000;
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

  /** `otherPids`: fixed, or read at every sample (child processes that come and go). */
  constructor(
    private readonly otherPids: number[] | (() => number[]),
    private readonly intervalMs = 100,
    private readonly othersAre = 'nats-server',
  ) {}

  sample(): void {
    const self = process.memoryUsage.rss();
    const others = (typeof this.otherPids === 'function' ? this.otherPids() : this.otherPids).reduce((sum, pid) => sum + (processRss(pid) ?? 0), 0);
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
    return `peak RSS: pipeline process ${mb(Math.max(this.peakSelf, maxRss))}, with ${this.othersAre} ${mb(this.peakTotal)}`;
  }
}
