import {
  ASSET_LINK_PREFIX,
  ASSET_OUTPUT_PREFIX,
  AssembleMessageSchema,
  ObjectNames,
  ObjectStores,
  decode,
  isFinalJobStatus,
  type AssembleMessage,
  type JobRecord,
  type OutputFormat,
  type ParsedDocument,
} from '@paperline/contracts';
import type { Bus } from '@paperline/bus';
import type { JobStore } from '@paperline/jobs';
import type { BatchContext, JobOutcome, StageHandler, StageMessage } from '@paperline/stage';
import { getMetrics, type Logger } from '@paperline/telemetry';
import { buildDocument } from './document.js';
import { renderMarkdown } from './markdown.js';
import type { PageProgress, PageResults } from './page-progress.js';

export interface AssembleDeps {
  bus: Bus;
  jobs: JobStore;
  pages: PageProgress;
}

const encoder = new TextEncoder();

/**
 * Records each layout and region result in `pl-jobs`, and when the last page of a document is
 * complete builds its JSON and Markdown, stores them in `pl-outputs` and completes the job.
 * A redelivery finds its region already recorded and changes nothing.
 */
export function createAssembleHandler(deps: AssembleDeps): StageHandler<AssembleMessage> {
  const metrics = getMetrics();
  return {
    stage: 'assemble',
    decode: (data) => decode(AssembleMessageSchema, data),
    docIdOf: (message) => message.docId,
    pageOf: (message) => message.page,
    async handleBatch(batch: ReadonlyArray<StageMessage<AssembleMessage>>, _ctx: BatchContext): Promise<JobOutcome[]> {
      const outcomes: JobOutcome[] = new Array<JobOutcome>(batch.length);
      // one document's pages one at a time (they update the same records); documents side by
      // side, so one document's KV round trips and its completion do not hold up the others'
      await Promise.all(
        [...groupBy(batch.keys(), (i) => batch[i]!.data.docId)].map(async ([docId, indices]) => {
          const byPage = groupBy(indices, (i) => batch[i]!.data.page);
          // the document's record read once for its messages of the batch, then kept as they change it
          let job: JobRecord | undefined;
          let read = false;
          for (const pageIndices of byPage.values()) {
            const messages = pageIndices.map((i) => batch[i]!);
            try {
              if (!read) {
                job = await deps.jobs.get(docId);
                read = true;
              }
              job = await recordPage(deps, messages, job, metrics);
              for (const i of pageIndices) outcomes[i] = { outputs: [] };
            } catch (error) {
              for (const i of pageIndices) outcomes[i] = { error };
            }
          }
        }),
      );
      return outcomes;
    },
  };
}

/** Items by key, keys in the order they first come, items in theirs. */
function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/**
 * Records what a batch holds for one page (a layout and region results: one update of the page's
 * record for all of them, where each was one); returns the document's record as it is known afterwards.
 */
async function recordPage(deps: AssembleDeps, messages: ReadonlyArray<StageMessage<AssembleMessage>>, job: JobRecord | undefined, metrics: ReturnType<typeof getMetrics>): Promise<JobRecord | undefined> {
  const { docId, page } = messages[0]!.data;
  const log = messages[0]!.log;
  if (!job || isFinalJobStatus(job.status)) {
    log.debug({ status: job?.status ?? 'unknown', messages: messages.length }, 'results for a finished or unknown document dropped');
    return job;
  }
  const layout = messages.map((m) => m.data).find((data) => data.type === 'layout');
  const regions = messages.flatMap(({ data }) => (data.type === 'region' ? [{ regionId: data.regionId, blocks: data.blocks, routedOn: (data.pendingRegions ?? []).map((r) => r.regionId) }] : []));
  const arrived: PageResults = layout
    ? { layout: { size: { width: layout.width, height: layout.height, pageCount: layout.pageCount }, blocks: layout.blocks, expected: layout.pendingRegions.map((r) => r.regionId) }, regions }
    : { regions };
  const progress = await deps.pages.recordPage(docId, page, arrived);
  if (!progress.documentComplete || !progress.job) return progress.job ?? job;
  // undefined: another assembler completed it first; its record says so
  return (await finalize(deps, progress.job, log, metrics)) ?? (await deps.jobs.get(docId));
}

/**
 * Copies each block's image (a crop in pl-pages, which expires) into pl-outputs next to the
 * document and points the block at it relatively, so the Markdown's links resolve wherever the
 * document and its assets are written together.
 */
async function exportAssets(bus: Bus, document: ParsedDocument): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  const copies: Promise<void>[] = [];
  for (const page of document.pages) {
    for (const block of page.blocks) {
      const image = block.image;
      if (!image || image.startsWith(ASSET_LINK_PREFIX)) continue;
      const name = `p${page.page}-${block.id.replace(/[^A-Za-z0-9_-]/g, '_')}.png`;
      const object = ObjectNames.asset(document.docId, name);
      copies.push(bus.getObject(ObjectStores.pages, image).then((data) => bus.putObject(ObjectStores.outputs, object, data)));
      block.image = `${ASSET_LINK_PREFIX}${name}`;
      outputs[`${ASSET_OUTPUT_PREFIX}${name}`] = object;
    }
  }
  // each copy is a read and a write of its own: side by side they take one's time, not the sum
  await Promise.all(copies);
  return outputs;
}

/** Builds and stores the outputs and completes the document; returns its completed record (undefined when another assembler had). */
async function finalize(deps: AssembleDeps, job: JobRecord, log: Logger, metrics: ReturnType<typeof getMetrics>): Promise<JobRecord | undefined> {
  const started = performance.now();
  const records = await deps.pages.pageRecords(job.docId, job.pagesDone);
  const pages = await Promise.all(records.map(async (record) => ({ record, blocks: await deps.pages.pageBlocks(job.docId, record) })));
  const document = buildDocument(job, pages);
  const outputs: Record<string, string> = await exportAssets(deps.bus, document);
  const wanted = new Set<OutputFormat>(job.options.outputFormats);
  // JSON is always kept: it is the document model the other formats are views of
  wanted.add('json');
  await Promise.all(
    [...wanted].map((format) => {
      const name = ObjectNames.output(job.docId, format);
      const body = format === 'json' ? JSON.stringify(document) : renderMarkdown(document);
      outputs[format] = name;
      return deps.bus.putObject(ObjectStores.outputs, name, encoder.encode(body));
    }),
  );
  const completed = await deps.jobs.complete(job.docId, outputs);
  if (completed) {
    await deps.pages.purge(job.docId);
    metrics.documents.inc({ outcome: 'completed' });
    const seconds = (Date.parse(completed.completedAt ?? completed.updatedAt) - Date.parse(completed.submittedAt)) / 1000;
    metrics.documentSeconds.observe(seconds);
    log.info({ pages: document.pageCount, durationMs: Math.round(performance.now() - started), totalSeconds: seconds }, 'document completed');
  }
  return completed;
}
