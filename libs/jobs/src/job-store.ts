import type { KV } from '@nats-io/kv';
import {
  Buckets,
  DocEventSchema,
  JobKeys,
  JobRecordSchema,
  MsgIds,
  PageRecordSchema,
  SCHEMA_VERSION,
  Subjects,
  encode,
  isFinalJobStatus,
  type Block,
  type DocEvent,
  type DocOptions,
  type ErrorCode,
  type JobRecord,
  type PageRecord,
  type StageName,
} from '@paperline/contracts';
import type { Bus } from '@paperline/bus';
import { z } from 'zod';
import { casUpdate } from './cas.js';

const BlocksSchema = z.array(z.custom<Block>());
const EVENT_SUBJECTS: Record<DocEvent['type'], string> = {
  'doc.completed': Subjects.docCompleted,
  'doc.failed': Subjects.docFailed,
  'doc.cancelled': Subjects.docCancelled,
  'doc.progress': Subjects.docProgress,
};
const encoder = new TextEncoder();
const decoder = new TextDecoder();

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

/** Result of recording a page's layout or a region: whether the page and the document are now complete. */
export interface Progress {
  pageComplete: boolean;
  documentComplete: boolean;
  job: JobRecord | undefined;
}

function now(): string {
  return new Date().toISOString();
}


/**
 * Per-document progress in KV `pl-jobs`: `doc.<id>` (the JobRecord), `page.<id>.<n>` (which
 * regions a page waits for) and `region.<id>.<n>.<region>` (the blocks of a region). Every write
 * is compare-and-set or an idempotent put, so redeliveries and concurrent assemblers agree.
 */
export class JobStore {
  private constructor(
    private readonly bus: Bus,
    private readonly kv: KV,
  ) {}

  static async open(bus: Bus): Promise<JobStore> {
    return new JobStore(bus, await bus.kv(Buckets.jobs));
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
    return JobRecordSchema.parse(JSON.parse(decoder.decode(entry.value)));
  }

  /** Render knows how many pages the document will have once it opened it. */
  async setPageCount(docId: string, pageCount: number): Promise<JobRecord | undefined> {
    return casUpdate(this.kv, JobKeys.doc(docId), JobRecordSchema, (job) => {
      if (!job || isFinalJobStatus(job.status) || job.pageCount === pageCount) return undefined;
      return { ...job, status: 'running' as const, pageCount, updatedAt: now() };
    });
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
    });
    if (changed) {
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
   * (dropCancelledDocuments), so what is still in flight ends there.
   */
  async cancel(docId: string): Promise<JobRecord | undefined> {
    let cancelledNow = false;
    const job = await casUpdate(this.kv, JobKeys.doc(docId), JobRecordSchema, (current) => {
      cancelledNow = false;
      if (!current || isFinalJobStatus(current.status)) return undefined;
      cancelledNow = true;
      const at = now();
      return { ...current, status: 'cancelled' as const, updatedAt: at, cancelledAt: at };
    });
    if (cancelledNow) await this.publishEvent({ v: SCHEMA_VERSION, type: 'doc.cancelled', docId, at: now() }, MsgIds.cancelled(docId));
    return job;
  }

  /** Stores the layout's inline blocks and what the page waits for. */
  async recordLayout(docId: string, page: number, size: { width: number; height: number; pageCount: number }, blocks: Block[], expected: string[]): Promise<Progress> {
    await this.kv.put(JobKeys.region(docId, page, 'layout'), encoder.encode(JSON.stringify(blocks)));
    const record = await casUpdate(this.kv, JobKeys.page(docId, page), PageRecordSchema, (current) => {
      if (current && current.layoutSeen) return undefined;
      return {
        v: SCHEMA_VERSION,
        docId,
        page,
        width: size.width,
        height: size.height,
        layoutSeen: true,
        expected,
        received: current?.received ?? [],
      };
    });
    return this.afterPageUpdate(docId, page, record, size.pageCount);
  }

  /** Stores a feature stage's blocks for one region (idempotent per region). */
  async recordRegion(docId: string, page: number, regionId: string, blocks: Block[]): Promise<Progress> {
    await this.kv.put(JobKeys.region(docId, page, regionId), encoder.encode(JSON.stringify(blocks)));
    const record = await casUpdate(this.kv, JobKeys.page(docId, page), PageRecordSchema, (current) => {
      if (current?.received.includes(regionId)) return undefined;
      return {
        v: SCHEMA_VERSION,
        docId,
        page,
        width: current?.width ?? 0,
        height: current?.height ?? 0,
        layoutSeen: current?.layoutSeen ?? false,
        expected: current?.expected ?? [],
        received: [...(current?.received ?? []), regionId],
      };
    });
    return this.afterPageUpdate(docId, page, record, undefined);
  }

  private async afterPageUpdate(docId: string, page: number, record: PageRecord | undefined, pageCount: number | undefined): Promise<Progress> {
    const pageComplete = !!record && record.layoutSeen && record.expected.every((id) => record.received.includes(id));
    if (!pageComplete) return { pageComplete, documentComplete: false, job: await this.get(docId) };
    const job = await casUpdate(this.kv, JobKeys.doc(docId), JobRecordSchema, (current) => {
      if (!current || isFinalJobStatus(current.status)) return undefined;
      const count = current.pageCount ?? pageCount ?? null;
      if (current.pagesDone.includes(page) && current.pageCount === count) return undefined;
      const pagesDone = current.pagesDone.includes(page) ? current.pagesDone : [...current.pagesDone, page].sort((a, b) => a - b);
      return { ...current, status: 'running' as const, pageCount: count, pagesDone, updatedAt: now() };
    });
    if (job && !isFinalJobStatus(job.status)) {
      await this.publishEvent(
        { v: SCHEMA_VERSION, type: 'doc.progress', docId, pagesDone: job.pagesDone.length, pageCount: job.pageCount, at: now() },
        `${docId}:progress:${job.pagesDone.length}`,
      );
    }
    const documentComplete = !!job && job.status === 'running' && job.pageCount !== null && job.pagesDone.length >= job.pageCount;
    return { pageComplete, documentComplete, job };
  }

  async pageRecords(docId: string): Promise<PageRecord[]> {
    const records: PageRecord[] = [];
    for await (const key of await this.kv.keys(JobKeys.pagesOfDoc(docId))) {
      const entry = await this.kv.get(key);
      if (entry && entry.operation === 'PUT' && entry.value.length > 0) records.push(PageRecordSchema.parse(JSON.parse(decoder.decode(entry.value))));
    }
    return records.sort((a, b) => a.page - b.page);
  }

  /** Every stored block of a page: the layout's inline blocks and each region's. */
  async pageBlocks(docId: string, record: PageRecord): Promise<Block[]> {
    const blocks: Block[] = [];
    for (const regionId of ['layout', ...record.expected]) {
      const entry = await this.kv.get(JobKeys.region(docId, record.page, regionId));
      if (entry && entry.operation === 'PUT' && entry.value.length > 0) blocks.push(...BlocksSchema.parse(JSON.parse(decoder.decode(entry.value))));
    }
    return blocks;
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
    });
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

  /** Removes the per-page and per-region keys once the outputs are stored. */
  async purgeWorkingState(docId: string): Promise<void> {
    for (const pattern of [JobKeys.pagesOfDoc(docId), JobKeys.regionsOfDoc(docId)]) {
      const keys: string[] = [];
      for await (const key of await this.kv.keys(pattern)) keys.push(key);
      for (const key of keys) await this.kv.purge(key);
    }
  }

  private async publishEvent(event: DocEvent, msgId: string): Promise<void> {
    const subject = EVENT_SUBJECTS[event.type];
    await this.bus.publish(subject, encode(DocEventSchema, event), { msgId, headers: { 'Pl-Doc-Id': event.docId } });
  }
}
