import type { KV } from '@nats-io/kv';
import {
  Buckets,
  DocEventSchema,
  JobKeys,
  JobRecordSchema,
  MsgIds,
  SCHEMA_VERSION,
  Subjects,
  decode,
  encode,
  isFinalJobStatus,
  type DocEvent,
  type DocOptions,
  type ErrorCode,
  type JobRecord,
  type StageName,
} from '@paperline/contracts';
import type { Bus, KvReads } from '@paperline/bus';
import { getMetrics } from '@paperline/telemetry';
import { CasCache, casUpdate } from './cas.js';


export interface DocumentFailure {
  stage: StageName;
  code: ErrorCode | string;
  reason: string;
}

export interface NewJob {
  docId: string;
  fileName: string;
  options: DocOptions;
  submittedAt?: string;
  /** The submitting API key's id; absent without authentication. */
  owner?: string;
}

export interface JobWatch extends AsyncIterable<JobRecord | undefined> {
  stop(): void;
}

export interface CancellationWatch {
  stop(): void;
}

function now(): string {
  return new Date().toISOString();
}

/** With nats.js's request timeout (5 s) and backoff: about half a minute, past a stream leader's election. */
const EVENT_PUBLISH_ATTEMPTS = 5;

const EVENT_SUBJECTS: Record<DocEvent['type'], string> = {
  'doc.completed': Subjects.docCompleted,
  'doc.failed': Subjects.docFailed,
  'doc.cancelled': Subjects.docCancelled,
  'doc.progress': Subjects.docProgress,
};

/**
 * The document records in KV `pl-jobs` (`doc.<id>`, a JobRecord): created by the client, given
 * its page count by render, its pages and completion by assemble, failed by any stage's dead
 * letter. Every write is compare-and-set, so redeliveries and concurrent writers agree. (The
 * per-page and per-region keys of the same bucket are assemble's own: services/assemble.)
 */
export class JobStore {
  /** This process's last write of each record: its next update of one skips the read. */
  private readonly writes = new CasCache();

  private constructor(
    private readonly bus: Bus,
    private readonly kv: KV,
  ) {}

  /**
   * `reads: 'leader'` for a reader that acts on what it does not find (assemble drops the result of
   * a document it has no record of): see Bus.kv.
   */
  static async open(bus: Bus, options: { reads?: KvReads } = {}): Promise<JobStore> {
    return new JobStore(bus, await bus.kv(Buckets.jobs, options));
  }

  /** Creates the record; fails if the docId is taken. */
  async create(job: NewJob): Promise<JobRecord> {
    const record: JobRecord = {
      v: SCHEMA_VERSION,
      docId: job.docId,
      fileName: job.fileName,
      status: 'queued',
      ...(job.owner === undefined ? {} : { owner: job.owner }),
      pageCount: null,
      pagesDone: [],
      options: job.options,
      outputs: {},
      submittedAt: job.submittedAt ?? now(),
      updatedAt: now(),
    };
    await this.kv.create(JobKeys.doc(job.docId), encode(JobRecordSchema, record));
    return record;
  }

  async get(docId: string): Promise<JobRecord | undefined> {
    const entry = await this.kv.get(JobKeys.doc(docId));
    if (!entry || entry.operation !== 'PUT' || entry.value.length === 0) return undefined;
    return decode(JobRecordSchema, entry.value);
  }

  /** Render knows how many pages the document will have once it opened it. */
  async setPageCount(docId: string, pageCount: number): Promise<JobRecord | undefined> {
    return casUpdate(this.kv, JobKeys.doc(docId), JobRecordSchema, (job) => {
      if (!job || isFinalJobStatus(job.status) || job.pageCount === pageCount) return undefined;
      return { ...job, status: 'running' as const, pageCount, updatedAt: now() };
    }, { cache: this.writes });
  }

  /**
   * Marks the document failed (first failure wins) and publishes `pl.events.doc.failed`.
   * Returns false when it had already finished.
   */
  async fail(docId: string, failure: DocumentFailure): Promise<boolean> {
    let changed = false;
    await casUpdate(this.kv, JobKeys.doc(docId), JobRecordSchema, (job) => {
      changed = false;
      if (!job || isFinalJobStatus(job.status)) return undefined;
      changed = true;
      return { ...job, status: 'failed' as const, error: { stage: failure.stage, code: failure.code, reason: failure.reason }, updatedAt: now() };
    }, { cache: this.writes });
    if (changed) {
      // counted here, where every failure lands (render, any stage's dead letter, the MAX_DELIVERIES advisory)
      getMetrics().documents.inc({ outcome: 'failed' });
      await this.publishEvent(
        { v: SCHEMA_VERSION, type: 'doc.failed', docId, stage: failure.stage, code: String(failure.code), reason: failure.reason, at: now() },
        MsgIds.failure(docId, failure.stage),
      );
    }
    return changed;
  }

  /**
   * Ends a queued or running document as `cancelled` and publishes `pl.events.doc.cancelled`.
   * Returns the record as it is now (cancelled, or the final state it had already reached), or
   * undefined when there is no such document. Every stage drops the work of a cancelled document
   * (stage-host's dropCancelledDocuments), so what is still in flight ends there.
   */
  async cancel(docId: string): Promise<JobRecord | undefined> {
    let cancelledNow = false;
    const job = await casUpdate(this.kv, JobKeys.doc(docId), JobRecordSchema, (current) => {
      cancelledNow = false;
      if (!current || isFinalJobStatus(current.status)) return undefined;
      cancelledNow = true;
      const at = now();
      return { ...current, status: 'cancelled' as const, updatedAt: at, cancelledAt: at };
    }, { cache: this.writes });
    if (cancelledNow) await this.publishEvent({ v: SCHEMA_VERSION, type: 'doc.cancelled', docId, at: now() }, MsgIds.cancelled(docId));
    return job;
  }

  /**
   * Adds a completed page to `pagesDone` (and the page count, if render's has not arrived yet)
   * and publishes `pl.events.doc.progress`. Idempotent; a finished document is left as it is.
   */
  async markPageDone(docId: string, page: number, pageCount?: number): Promise<JobRecord | undefined> {
    const job = await casUpdate(this.kv, JobKeys.doc(docId), JobRecordSchema, (current) => {
      if (!current || isFinalJobStatus(current.status)) return undefined;
      const count = current.pageCount ?? pageCount ?? null;
      if (current.pagesDone.includes(page) && current.pageCount === count) return undefined;
      const pagesDone = current.pagesDone.includes(page) ? current.pagesDone : [...current.pagesDone, page].sort((a, b) => a - b);
      return { ...current, status: 'running' as const, pageCount: count, pagesDone, updatedAt: now() };
    }, { cache: this.writes });
    if (job && !isFinalJobStatus(job.status)) {
      await this.publishEvent(
        { v: SCHEMA_VERSION, type: 'doc.progress', docId, pagesDone: job.pagesDone.length, pageCount: job.pageCount, at: now() },
        `${docId}:progress:${job.pagesDone.length}`,
      );
    }
    return job;
  }

  /** Marks the document completed with its outputs and publishes `pl.events.doc.completed` (once). */
  async complete(docId: string, outputs: Record<string, string>): Promise<JobRecord | undefined> {
    let completedNow = false;
    const job = await casUpdate(this.kv, JobKeys.doc(docId), JobRecordSchema, (current) => {
      completedNow = false;
      if (!current || isFinalJobStatus(current.status)) return undefined;
      completedNow = true;
      const at = now();
      return { ...current, status: 'completed' as const, outputs, updatedAt: at, completedAt: at };
    }, { cache: this.writes });
    if (completedNow && job) {
      await this.publishEvent(
        {
          v: SCHEMA_VERSION,
          type: 'doc.completed',
          docId,
          pageCount: job.pageCount ?? job.pagesDone.length,
          outputs,
          durationMs: Date.parse(job.completedAt ?? job.updatedAt) - Date.parse(job.submittedAt),
          at: now(),
        },
        `${docId}:completed`,
      );
    }
    return completedNow ? job : undefined;
  }

  /** Removes the record (a submit that could not be completed leaves nothing queued behind). */
  async remove(docId: string): Promise<void> {
    await this.kv.purge(JobKeys.doc(docId));
  }

  /** The record as it is now, then every change to it; `undefined` when it was deleted. */
  async watch(docId: string): Promise<JobWatch> {
    const watcher = await this.kv.watch({ key: JobKeys.doc(docId) });
    return {
      stop: () => watcher.stop(),
      async *[Symbol.asyncIterator]() {
        for await (const entry of watcher) yield entry.operation === 'PUT' && entry.value.length > 0 ? decode(JobRecordSchema, entry.value) : undefined;
      },
    };
  }

  /**
   * Calls onCancelled with the docId of every `pl.events.doc.cancelled` published from now on. A
   * core subscription: an event published while the connection is down is missed, so a caller
   * that must honour every cancel also reads the record now and then (dropCancelledDocuments).
   * On this JobStore's own connection the event arrives before cancel()'s publish is acked, so
   * once `await cancel()` returns, onCancelled has run. An event that fails its schema is logged
   * and skipped.
   */
  watchCancellations(onCancelled: (docId: string) => void): CancellationWatch {
    const sub = this.bus.nc.subscribe(Subjects.docCancelled, {
      callback: (error, msg) => {
        if (error) {
          this.bus.log?.error({ err: error, subject: Subjects.docCancelled }, 'the cancellation subscription failed: cancels are seen by KV reads only');
          return;
        }
        let event: DocEvent;
        try {
          event = decode(DocEventSchema, msg.data);
        } catch (invalid) {
          this.bus.log?.warn({ err: invalid, subject: msg.subject }, 'ignored an invalid cancellation event');
          return;
        }
        if (event.type === 'doc.cancelled') onCancelled(event.docId);
      },
    });
    return {
      stop: () => {
        try {
          sub.unsubscribe();
        } catch {
          // the connection is already closed, and the subscription with it
        }
      },
    };
  }

  /**
   * An event follows a record change that is already stored, and nothing sends it again once this
   * gives up (a redelivery finds the record final), so a publish that times out in a failover is
   * repeated; its msgId makes a repeat of one that landed a duplicate the stream drops.
   */
  private async publishEvent(event: DocEvent, msgId: string): Promise<void> {
    const subject = EVENT_SUBJECTS[event.type];
    await this.bus.publish(subject, encode(DocEventSchema, event), { msgId, headers: { 'Pl-Doc-Id': event.docId }, attempts: EVENT_PUBLISH_ATTEMPTS });
  }
}
