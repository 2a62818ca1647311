// Assemble's working state in KV pl-jobs, beside the document records: `page.<id>.<n>` (which
// regions a page waits for, which arrived) and `region.<id>.<n>.<region>` (the blocks of one
// region, `layout` for the layout's inline blocks). Only assemble reads or writes these keys.
import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { Buckets, JobKeys, PageRecordSchema, SCHEMA_VERSION, decode, type Block, type JobRecord, type PageRecord } from '@paperline/contracts';
import type { Bus } from '@paperline/bus';
import { CasCache, casUpdate, type JobStore } from '@paperline/jobs';
import { z } from 'zod';

const BlocksSchema = z.array(z.custom<Block>());
const encoder = new TextEncoder();

/** What arrived for one page: its layout's message, feature stages' region results, or both. */
export interface PageResults {
  layout?: { size: { width: number; height: number; pageCount: number }; blocks: Block[]; expected: readonly string[] };
  regions: ReadonlyArray<{ regionId: string; blocks: Block[]; routedOn: readonly string[] }>;
}

/** Result of recording a page's layout or regions: whether the page and the document are now complete. */
export interface Progress {
  pageComplete: boolean;
  documentComplete: boolean;
  /** The document record once the page is complete (undefined while it waits for regions). */
  job: JobRecord | undefined;
}

/**
 * Every write is compare-and-set or an idempotent put, so redeliveries and concurrent assemblers
 * agree: the update that completes a page marks it done in the document record, exactly once.
 */
export class PageProgress {
  /** This instance's last write of each page record: a page's next result updates it without a read. */
  private readonly writes = new CasCache();

  private constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    private readonly jobs: JobStore,
  ) {}

  /** `jobs` reads from the bucket's leader, as these records do: a document is assembled from what they hold. */
  static async open(bus: Bus, jobs: JobStore): Promise<PageProgress> {
    return new PageProgress(await bus.kv(Buckets.jobs, { reads: 'leader' }), bus.jsm, jobs);
  }

  /**
   * Stores what arrived for one page (its layout's inline blocks and what it waits for, and feature
   * stages' region blocks, each idempotent) and updates the page's record once for all of them.
   * A region result's `routedOn` names the regions that stage handed to another one (ocr: a scan's
   * tables): the page waits for them too.
   */
  async recordPage(docId: string, page: number, arrived: PageResults): Promise<Progress> {
    const { layout } = arrived;
    // a redelivery among them is recorded once, as the first result of a region is the one that counts
    const regions = arrived.regions.filter((region, i) => arrived.regions.findIndex((r) => r.regionId === region.regionId) === i);
    await Promise.all([
      ...(layout ? [this.kv.put(JobKeys.region(docId, page, 'layout'), encoder.encode(JSON.stringify(layout.blocks)))] : []),
      ...regions.map((region) => this.kv.put(JobKeys.region(docId, page, region.regionId), encoder.encode(JSON.stringify(region.blocks)))),
    ]);
    const record = await casUpdate(this.kv, JobKeys.page(docId, page), PageRecordSchema, (current) => {
      const newLayout = layout && !current?.layoutSeen ? layout : undefined;
      const newRegions = regions.filter((region) => !current?.received.includes(region.regionId));
      if (!newLayout && newRegions.length === 0) return undefined;
      // regions a feature stage routed on (recorded with its result) may have come before the layout
      const expected = newLayout ? [...newLayout.expected, ...(current?.expected ?? [])] : [...(current?.expected ?? [])];
      return {
        v: SCHEMA_VERSION,
        docId,
        page,
        width: newLayout?.size.width ?? current?.width ?? 0,
        height: newLayout?.size.height ?? current?.height ?? 0,
        layoutSeen: !!newLayout || (current?.layoutSeen ?? false),
        expected: [...new Set([...expected, ...newRegions.flatMap((region) => region.routedOn)])],
        received: [...(current?.received ?? []), ...newRegions.map((region) => region.regionId)],
      };
    }, { cache: this.writes });
    return this.afterPageUpdate(docId, page, record, layout?.size.pageCount);
  }

  private async afterPageUpdate(docId: string, page: number, record: PageRecord | undefined, pageCount: number | undefined): Promise<Progress> {
    const pageComplete = !!record && record.layoutSeen && record.expected.every((id) => record.received.includes(id));
    // nobody needs the record of a document whose page is still waiting: no read for it
    if (!pageComplete) return { pageComplete, documentComplete: false, job: undefined };
    const job = await this.jobs.markPageDone(docId, page, pageCount);
    const documentComplete = !!job && job.status === 'running' && job.pageCount !== null && job.pagesDone.length >= job.pageCount;
    return { pageComplete, documentComplete, job };
  }

  // The reads below go out side by side: each is one round trip of its own, and a document's
  // dozens of keys read one after another held assemble for as many round trips. None lists keys:
  // a listing is an ordered consumer, which nats-server 2.9 keeps in files of its own (a directory
  // made and removed for each), and that was a third of the server's CPU on the text-layer path.

  /** The records of the given pages (a complete document's `pagesDone`), in page order. */
  async pageRecords(docId: string, pages: readonly number[]): Promise<PageRecord[]> {
    const entries = await Promise.all(pages.map((page) => this.kv.get(JobKeys.page(docId, page))));
    const records: PageRecord[] = [];
    for (const entry of entries) {
      if (entry && entry.operation === 'PUT' && entry.value.length > 0) records.push(decode(PageRecordSchema, entry.value));
    }
    return records.sort((a, b) => a.page - b.page);
  }

  /** Every stored block of a page: the layout's inline blocks and each region's. */
  async pageBlocks(docId: string, record: PageRecord): Promise<Block[]> {
    const entries = await Promise.all(['layout', ...record.expected].map((regionId) => this.kv.get(JobKeys.region(docId, record.page, regionId))));
    const blocks: Block[] = [];
    for (const entry of entries) {
      if (entry && entry.operation === 'PUT' && entry.value.length > 0) blocks.push(...decode(BlocksSchema, entry.value));
    }
    return blocks;
  }

  /**
   * Removes the document's per-page and per-region keys once the outputs are stored: a purge of the
   * bucket's stream filtered on each family, two requests where a purge of each key was one write
   * (and a marker kept until the bucket's TTL) per page and per region.
   */
  async purge(docId: string): Promise<void> {
    const stream = `KV_${Buckets.jobs}`;
    await Promise.all([JobKeys.pagesOfDoc(docId), JobKeys.regionsOfDoc(docId)].map((keys) => this.jsm.streams.purge(stream, { filter: `$KV.${Buckets.jobs}.${keys}` })));
  }
}
