// The fairness scenario of issue 13: a long blank PDF goes in first, a one-page image after it.
// The image's time to completion, alone and behind the PDF (normal and high priority), is what a
// user waiting on a small document sees while someone else's long document is in the pipeline.
// Used by test/fairness/fairness.test.ts (scaled down) and test/bench/fairness.bench.ts (full size).
import type { PaperlineClient } from '@paperline/client';
import type { JobRecord, Priority } from '@paperline/contracts';
import { buildPdf } from '@paperline/testing';

export interface FairnessOptions {
  /** Pages of the blank PDF. */
  blankPages: number;
  /** Submits the image this long after the PDF; without it, as soon as the PDF's first pages are done. */
  delayMs?: number;
  /** The one-page image (its text goes through OCR). */
  image: Uint8Array;
  timeoutMs?: number;
  /** Runs of each measurement; the median counts (a single run on a shared machine can be far off either way). @default 3 */
  repeats?: number;
}

export interface BehindLongDocument {
  /** Seconds from the image's submit to its completion. */
  seconds: number;
  /** The image alone, measured just before (a shared machine's load drifts: the pair sees the same). */
  aloneSeconds: number;
  /** seconds / aloneSeconds. */
  ratio: number;
  /** Pages of the long PDF done when the image was submitted, and when it completed. */
  pagesDoneAtSubmit: number;
  pagesDoneAtCompletion: number;
  /** The long PDF's record once it completed. */
  long: JobRecord;
}

export interface FairnessResult {
  aloneSeconds: number;
  behindNormal: BehindLongDocument;
  behindHigh: BehindLongDocument;
}

export function blankPdf(pages: number): Uint8Array {
  return buildPdf(Array.from({ length: pages }, () => ({})));
}

async function completedIn(client: PaperlineClient, bytes: Uint8Array, fileName: string, priority: Priority, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const docId = await client.submit(bytes, { fileName, options: { priority } });
  const job = await client.wait(docId, { timeoutMs });
  if (job.status !== 'completed') throw new Error(`${fileName}: ${job.status} ${job.error?.code ?? ''} ${job.error?.reason ?? ''}`);
  return (performance.now() - started) / 1000;
}

async function behindLongDocument(client: PaperlineClient, options: FairnessOptions, priority: Priority): Promise<BehindLongDocument> {
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const longId = await client.submit(blankPdf(options.blankPages), { fileName: 'blank.pdf' });
  const deadline = Date.now() + timeoutMs;
  if (options.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
  else while ((await client.status(longId)).pagesDone.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const pagesDoneAtSubmit = (await client.status(longId)).pagesDone.length;
  const seconds = await completedIn(client, options.image, `image-${priority}.png`, priority, timeoutMs);
  const pagesDoneAtCompletion = (await client.status(longId)).pagesDone.length;
  const long = await client.wait(longId, { timeoutMs });
  if (long.status !== 'completed') throw new Error(`blank.pdf: ${long.status} ${long.error?.code ?? ''} ${long.error?.reason ?? ''}`);
  return { seconds, aloneSeconds: 0, ratio: 0, pagesDoneAtSubmit, pagesDoneAtCompletion, long };
}

function median<T>(values: T[], key: (value: T) => number): T {
  return [...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)]!;
}

/**
 * Warms the pipeline up (OCR models loaded) with the image, then measures it behind a long PDF at
 * normal and at high priority, each run paired with a run of the image alone just before it; the
 * run with the median ratio of `repeats` counts.
 */
export async function measureFairness(client: PaperlineClient, options: FairnessOptions): Promise<FairnessResult> {
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  await completedIn(client, options.image, 'warm-up.png', 'normal', timeoutMs);
  const repeats = options.repeats ?? 3;
  const alone: number[] = [];
  const behind = async (priority: Priority) => {
    const runs: BehindLongDocument[] = [];
    for (let i = 0; i < repeats; i++) {
      const aloneSeconds = await completedIn(client, options.image, `alone-${priority}-${i}.png`, 'normal', timeoutMs);
      alone.push(aloneSeconds);
      const run = await behindLongDocument(client, options, priority);
      runs.push({ ...run, aloneSeconds, ratio: run.seconds / aloneSeconds });
    }
    return median(runs, (run) => run.ratio);
  };
  const behindNormal = await behind('normal');
  const behindHigh = await behind('high');
  return { aloneSeconds: median(alone, (s) => s), behindNormal, behindHigh };
}
