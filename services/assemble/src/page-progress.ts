// Assemble's working state in KV pl-jobs, beside the document records: `page.<id>.<n>` (which
// regions a page waits for, which arrived) and `region.<id>.<n>.<region>` (the blocks of one
// region, `layout` for the layout's inline blocks). Only assemble reads or writes these keys.
import type { KV } from '@nats-io/kv';
import { Buckets, JobKeys, PageRecordSchema, SCHEMA_VERSION, decode, type Block, type JobRecord, type PageRecord } from '@paperline/contracts';
import type { Bus } from '@paperline/bus';
import { casUpdate, type JobStore } from '@paperline/jobs';
import { z } from 'zod';

const BlocksSchema = z.array(z.custom<Block>());
const encoder = new TextEncoder();

/** Result of recording a page's layout or a region: whether the page and the document are now complete. */
export interface Progress {
  pageComplete: boolean;
  documentComplete: boolean;
  job: JobRecord | undefined;
}

/**
 * Every write is compare-and-set or an idempotent put, so redeliveries and concurrent assemblers
 * agree: the update that completes a page marks it done in the document record, exactly once.
 */
export class PageProgress {
  private constructor(
    private readonly kv: KV,
    private readonly jobs: JobStore,
  ) {}

  static async open(bus: Bus, jobs: JobStore): Promise<PageProgress> {
    return new PageProgress(await bus.kv(Buckets.jobs), jobs);
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
        // regions a feature stage routed on (recorded with its result) may have come first
        expected: [...new Set([...expected, ...(current?.expected ?? [])])],
        received: current?.received ?? [],
      };
    });
    return this.afterPageUpdate(docId, page, record, size.pageCount);
  }

  /**
   * Stores a feature stage's blocks for one region (idempotent per region). `routedOn` names the
   * regions that stage handed to another one (ocr: a scan's tables): the page waits for them too.
   */
  async recordRegion(docId: string, page: number, regionId: string, blocks: Block[], routedOn: readonly string[] = []): Promise<Progress> {
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
        expected: [...new Set([...(current?.expected ?? []), ...routedOn])],
        received: [...(current?.received ?? []), regionId],
      };
    });
    return this.afterPageUpdate(docId, page, record, undefined);
  }

  private async afterPageUpdate(docId: string, page: number, record: PageRecord | undefined, pageCount: number | undefined): Promise<Progress> {
    const pageComplete = !!record && record.layoutSeen && record.expected.every((id) => record.received.includes(id));
    if (!pageComplete) return { pageComplete, documentComplete: false, job: await this.jobs.get(docId) };
    const job = await this.jobs.markPageDone(docId, page, pageCount);
    const documentComplete = !!job && job.status === 'running' && job.pageCount !== null && job.pagesDone.length >= job.pageCount;
    return { pageComplete, documentComplete, job };
  }

  async pageRecords(docId: string): Promise<PageRecord[]> {
    const records: PageRecord[] = [];
    for await (const key of await this.kv.keys(JobKeys.pagesOfDoc(docId))) {
      const entry = await this.kv.get(key);
      if (entry && entry.operation === 'PUT' && entry.value.length > 0) records.push(decode(PageRecordSchema, entry.value));
    }
    return records.sort((a, b) => a.page - b.page);
  }

  /** Every stored block of a page: the layout's inline blocks and each region's. */
  async pageBlocks(docId: string, record: PageRecord): Promise<Block[]> {
    const blocks: Block[] = [];
    for (const regionId of ['layout', ...record.expected]) {
      const entry = await this.kv.get(JobKeys.region(docId, record.page, regionId));
      if (entry && entry.operation === 'PUT' && entry.value.length > 0) blocks.push(...decode(BlocksSchema, entry.value));
    }
    return blocks;
  }

  /** Removes the per-page and per-region keys once the outputs are stored. */
  async purge(docId: string): Promise<void> {
    for (const pattern of [JobKeys.pagesOfDoc(docId), JobKeys.regionsOfDoc(docId)]) {
      const keys: string[] = [];
      for await (const key of await this.kv.keys(pattern)) keys.push(key);
      for (const key of keys) await this.kv.purge(key);
    }
  }
}
