// Per-document progress of `paperline parse`: a bar per document on a terminal (pages done /
// page count), plain lines otherwise (CI logs, pipes), both on stderr so stdout stays the list
// of written files.
import cliProgress from 'cli-progress';
import type { JobRecord } from '@paperline/contracts';
import { writeLine } from './context.js';

export interface ProgressReporter {
  /** A new version of the document's job record. */
  update(index: number, job: JobRecord): void;
  done(index: number, outputPath: string): void;
  failed(index: number, reason: string): void;
  /** Ends the display; lines after this are plain output. */
  stop(): void;
}

/** The bar's width leaves room for the name, the counts and the status on an 80-column terminal. */
const BAR_SIZE = 24;

function pagesOf(job: JobRecord): { done: number; total: number } {
  return { done: job.pagesDone.length, total: Math.max(job.pageCount ?? 0, job.pagesDone.length, 1) };
}

class BarProgress implements ProgressReporter {
  private readonly multi: cliProgress.MultiBar;
  private readonly bars: cliProgress.SingleBar[];

  constructor(stream: NodeJS.WritableStream, names: string[]) {
    const width = Math.min(32, Math.max(...names.map((n) => n.length)));
    this.multi = new cliProgress.MultiBar(
      { stream, format: `{name} [{bar}] {value}/{total} pages  {status}`, barsize: BAR_SIZE, hideCursor: true, clearOnComplete: false, autopadding: true },
      cliProgress.Presets.shades_classic,
    );
    this.bars = names.map((name) => this.multi.create(1, 0, { name: truncate(name, width).padEnd(width), status: 'submitted' }));
  }

  update(index: number, job: JobRecord): void {
    const { done, total } = pagesOf(job);
    const bar = this.bars[index];
    bar?.setTotal(total);
    bar?.update(done, { status: job.status });
  }

  done(index: number, outputPath: string): void {
    const bar = this.bars[index];
    if (bar) bar.update(bar.getTotal(), { status: `done -> ${outputPath}` });
  }

  failed(index: number, reason: string): void {
    this.bars[index]?.update({ status: `FAILED: ${reason}` });
  }

  stop(): void {
    this.multi.stop();
  }
}

class LineProgress implements ProgressReporter {
  private readonly last: string[] = [];

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly names: string[],
  ) {}

  update(index: number, job: JobRecord): void {
    const { done } = pagesOf(job);
    const line = job.pageCount === null ? job.status : `${job.status} ${done}/${job.pageCount} pages`;
    // one line per change, not per KV write
    if (this.last[index] === line) return;
    this.last[index] = line;
    writeLine(this.stream, `${this.names[index]}: ${line}`);
  }

  done(index: number, outputPath: string): void {
    writeLine(this.stream, `${this.names[index]}: done -> ${outputPath}`);
  }

  failed(index: number, reason: string): void {
    writeLine(this.stream, `${this.names[index]}: FAILED: ${reason}`);
  }

  stop(): void {}
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `…${text.slice(text.length - width + 1)}`;
}

export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, names: string[]): ProgressReporter {
  return stream.isTTY ? new BarProgress(stream, names) : new LineProgress(stream, names);
}
