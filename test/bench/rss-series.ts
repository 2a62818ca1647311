// RSS over time of named processes (each stage, the gateway, nats-server), sampled from /proc every
// few seconds: the series as a table, each process's max and final value, and whether it stayed
// bounded (the max of the run's last third at most `growth` above the max of its first third).
import { processRss } from './peak-rss.js';

interface Sample {
  atMs: number;
  phase: string;
  rss: Map<string, number | undefined>;
}

export interface RssVerdict {
  name: string;
  maxBytes: number;
  finalBytes: number;
  firstThirdMaxBytes: number;
  lastThirdMaxBytes: number;
  /** lastThirdMax / firstThirdMax - 1 */
  growth: number;
  bounded: boolean;
}

const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : (bytes / 2 ** 20).toFixed(0));

/** Columns padded to their widest cell; the first left-aligned when `labels`, the rest right-aligned. */
function formatTable(rows: string[][], labels: boolean): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (labels && i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}

export class RssSeries {
  private readonly samples: Sample[] = [];
  private readonly names: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  /** Labels the samples taken from now on (the table's phase column). */
  phase = '';

  constructor(
    /** The processes to sample, by name; read at every sample, so a restarted process's new pid is followed. */
    private readonly pids: () => Map<string, number>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    const rss = new Map<string, number | undefined>();
    for (const [name, pid] of this.pids()) {
      if (!this.names.includes(name)) this.names.push(name);
      rss.set(name, processRss(pid));
    }
    this.samples.push({ atMs: performance.now() - this.startedAt, phase: this.phase, rss });
  }

  /** The series in MiB, one row per sample. */
  table(): string {
    const header = ['t (s)', 'phase', ...this.names];
    const rows = this.samples.map((s) => [(s.atMs / 1000).toFixed(0), s.phase, ...this.names.map((n) => mib(s.rss.get(n)))]);
    return formatTable([header, ...rows], false);
  }

  /** Per process: max and final RSS, and the first and last thirds of the run compared. */
  verdicts(growth: number): RssVerdict[] {
    const duration = this.samples.at(-1)?.atMs ?? 0;
    return this.names.map((name) => {
      const values = (from: number, to: number) => this.samples.filter((s) => s.atMs >= from && s.atMs <= to).map((s) => s.rss.get(name) ?? 0);
      const firstThirdMaxBytes = Math.max(0, ...values(0, duration / 3));
      const lastThirdMaxBytes = Math.max(0, ...values((2 * duration) / 3, duration));
      const ratio = lastThirdMaxBytes / Math.max(1, firstThirdMaxBytes) - 1;
      return {
        name,
        maxBytes: Math.max(0, ...values(0, duration)),
        finalBytes: this.samples.at(-1)?.rss.get(name) ?? 0,
        firstThirdMaxBytes,
        lastThirdMaxBytes,
        growth: ratio,
        bounded: ratio <= growth,
      };
    });
  }

  /** The verdicts as a table (MiB). */
  summary(growth: number): string {
    const header = ['process', 'max', 'final', 'max 1st third', 'max last third', 'growth', `bounded (<= ${(growth * 100).toFixed(0)} %)`];
    const rows = this.verdicts(growth).map((v) => [
      v.name,
      mib(v.maxBytes),
      mib(v.finalBytes),
      mib(v.firstThirdMaxBytes),
      mib(v.lastThirdMaxBytes),
      `${(v.growth * 100).toFixed(1)} % (${v.lastThirdMaxBytes >= v.firstThirdMaxBytes ? '+' : '-'}${mib(Math.abs(v.lastThirdMaxBytes - v.firstThirdMaxBytes))} MiB)`,
      v.bounded ? 'yes' : 'NO',
    ]);
    return formatTable([header, ...rows], true);
  }
}
