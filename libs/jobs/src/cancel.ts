// Cancelling a document. Its messages share PL_DOCS and PL_WORK with every other document, so no
// subject purge can take only its own: cancel marks the record `cancelled` (a final state), deletes
// the document's pending messages it finds by their Nats-Msg-Id (every MsgIds value starts with
// `<docId>:`), and every stage acks and drops whatever of it still reaches them (stage-host's
// dropCancelledDocuments). Assemble's per-page keys of the document expire with pl-jobs' TTL.
import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import type { Bus } from '@paperline/bus';
import { Headers, ObjectNames, ObjectStores, Streams, type JobRecord, type StreamName } from '@paperline/contracts';
import type { JobStore } from './job-store.js';

/** How many pending messages cancel reads per stream at most; the stages drop any it did not reach. */
export const DEFAULT_CANCEL_SCAN_LIMIT = 50_000;
/** Streams that hold a document's pending work. */
const WORK_STREAMS: readonly StreamName[] = [Streams.docs, Streams.work];

export interface CancelReport {
  /** The record afterwards: `cancelled`, or the final state it had reached before. */
  job: JobRecord;
  /** True when this call cancelled it (false: it had already finished or been cancelled). */
  cancelled: boolean;
  /** Pending messages of the document deleted from PL_DOCS and PL_WORK. */
  deletedMessages: number;
  /** Messages read to find them. */
  scannedMessages: number;
  /** False when a stream held more than the scan limit: the stages drop the rest as they reach it. */
  scanComplete: boolean;
  /** Its stored input, page rasters and text layers deleted. */
  deletedObjects: number;
}

export interface CancelOptions {
  /** @default DEFAULT_CANCEL_SCAN_LIMIT */
  scanLimit?: number;
}

/** Whether a message id belongs to the document (MsgIds: every id is `<docId>:...`). */
function belongsTo(msg: StoredMsg, docId: string): boolean {
  return msg.header?.get(Headers.msgId)?.startsWith(`${docId}:`) ?? false;
}

async function deletePendingMessages(jsm: JetStreamManager, stream: StreamName, docId: string, scanLimit: number): Promise<{ deleted: number; scanned: number; complete: boolean }> {
  const info = await jsm.streams.info(stream);
  const last = info.state.last_seq;
  let seq = info.state.first_seq;
  let deleted = 0;
  let scanned = 0;
  while (seq <= last && scanned < scanLimit) {
    // next_by_subj skips the gaps acked messages leave in a work queue (STREAM.MSG.GET, nats-server 2.9)
    const msg = await jsm.streams.getMessage(stream, { seq, next_by_subj: '>' } as unknown as { seq: number });
    if (!msg || msg.seq > last) return { deleted, scanned, complete: true };
    scanned++;
    if (belongsTo(msg, docId) && (await jsm.streams.deleteMessage(stream, msg.seq, false).catch(() => false))) deleted++;
    seq = msg.seq + 1;
  }
  return { deleted, scanned, complete: seq > last };
}

async function deleteStoredObjects(bus: Bus, job: JobRecord): Promise<number> {
  const names: Array<[typeof ObjectStores.documents | typeof ObjectStores.pages, string]> = [[ObjectStores.documents, ObjectNames.document(job.docId)]];
  for (let page = 1; page <= (job.pageCount ?? 0); page++) {
    names.push([ObjectStores.pages, ObjectNames.pageRaster(job.docId, page)], [ObjectStores.pages, ObjectNames.pageText(job.docId, page)]);
  }
  let deleted = 0;
  for (const [store, name] of names) {
    if ((await bus.objectSize(store, name)) === undefined) continue;
    await bus.deleteObject(store, name);
    deleted++;
  }
  return deleted;
}

/**
 * Cancels a queued or running document: final `cancelled` state, its pending messages deleted,
 * its input and intermediate objects removed. Undefined when there is no such
 * document. Safe to repeat: a second call finds it cancelled and cleans up again.
 */
export async function cancelDocument(bus: Bus, jobs: JobStore, docId: string, options: CancelOptions = {}): Promise<CancelReport | undefined> {
  const before = await jobs.get(docId);
  if (!before) return undefined;
  const job = (await jobs.cancel(docId)) ?? before;
  const cancelled = before.status !== 'cancelled' && job.status === 'cancelled';
  const report: CancelReport = { job, cancelled, deletedMessages: 0, scannedMessages: 0, scanComplete: true, deletedObjects: 0 };
  if (job.status !== 'cancelled') return report;
  for (const stream of WORK_STREAMS) {
    const result = await deletePendingMessages(bus.jsm, stream, docId, options.scanLimit ?? DEFAULT_CANCEL_SCAN_LIMIT);
    report.deletedMessages += result.deleted;
    report.scannedMessages += result.scanned;
    report.scanComplete &&= result.complete;
  }
  report.deletedObjects = await deleteStoredObjects(bus, job);
  return report;
}
