import type { JobStore } from '@paperline/jobs';
import type { BatchContext, JobOutcome, Output, StageHandler, StageMessage } from '@paperline/stage';

/** The document an output belongs to, from its Nats-Msg-Id (`<docId>:...`). */
function docIdOfOutput(output: Output): string | undefined {
  const colon = output.msgId.indexOf(':');
  return colon > 0 ? output.msgId.slice(0, colon) : undefined;
}

/** Past this many documents a memory is forgotten whole; forgetting one only costs a KV read. */
const REMEMBERED_DOCUMENTS = 10_000;

export interface DropCancelledOptions {
  /**
   * How long a document read as not cancelled is taken for live without another KV read: the
   * longest a stage keeps working for a cancel whose event it missed. @default 1000 (the
   * `cancel.recheckMs` setting, PL_CANCEL_RECHECK_MS)
   */
  recheckMs: number;
}

/** A handler that drops cancelled documents' work, and the end of its cancellation subscription. */
export interface CancelAwareHandler<T> {
  handler: StageHandler<T>;
  /** Ends the subscription; call it once the runtime has drained. */
  stop(): void;
}

/**
 * Every stage's handler is wrapped with this: a message of a cancelled document is acked without
 * work, and what a running batch publishes or returns for a document cancelled meanwhile is
 * dropped, so a cancel ends its work at the next step of every stage. Cancels are learned from
 * `pl.events.doc.cancelled` (JobStore.watchCancellations); a document not seen cancelled is read
 * from `pl-jobs` at most once per `recheckMs`, which covers an event missed in a reconnect gap
 * and a cancel made before this instance subscribed. (Before, it was read once per batch, per
 * output and at each batch's end: about 6.5 KV reads a page on the text-layer path.)
 */
export function dropCancelledDocuments<T>(handler: StageHandler<T>, jobs: JobStore, options: DropCancelledOptions): CancelAwareHandler<T> {
  const known = new Set<string>();
  const remember = (docId: string) => {
    if (known.size >= REMEMBERED_DOCUMENTS) known.clear();
    known.add(docId);
  };
  const watch = jobs.watchCancellations(remember);
  // docId -> when a read last found it live: within recheckMs the answer stands unless an event says otherwise
  const liveAt = new Map<string, number>();
  // a read already under way answers every question asked meanwhile
  const reading = new Map<string, Promise<boolean>>();
  const read = async (docId: string): Promise<boolean> => {
    const startedAt = Date.now();
    let job;
    try {
      job = await jobs.get(docId);
    } catch {
      // taken for live (the work goes on, as before a cancel), and asked again next time
      return known.has(docId);
    }
    if (job?.status === 'cancelled') {
      remember(docId);
      return true;
    }
    // an event that arrived while the read was under way wins over what the read found
    if (known.has(docId)) return true;
    if (liveAt.size >= REMEMBERED_DOCUMENTS) liveAt.clear();
    liveAt.set(docId, startedAt);
    return false;
  };
  const isCancelled = (docId: string | undefined): Promise<boolean> => {
    if (docId === undefined) return Promise.resolve(false);
    if (known.has(docId)) return Promise.resolve(true);
    const readAt = liveAt.get(docId);
    if (readAt !== undefined && Date.now() - readAt < options.recheckMs) return Promise.resolve(false);
    let answer = reading.get(docId);
    if (!answer) {
      answer = read(docId).finally(() => reading.delete(docId));
      reading.set(docId, answer);
    }
    return answer;
  };
  const wrapped: StageHandler<T> = {
    ...handler,
    async handleBatch(batch: ReadonlyArray<StageMessage<T>>, ctx: BatchContext): Promise<JobOutcome[]> {
      const docIds = [...new Set(batch.map((message) => message.docId).filter((id): id is string => id !== undefined))];
      const cancelled = new Set<string>();
      await Promise.all(docIds.map(async (id) => (await isCancelled(id)) && cancelled.add(id)));
      const live = batch.filter((message) => message.docId === undefined || !cancelled.has(message.docId));
      const guarded: BatchContext = {
        ...ctx,
        publish: async (output) => {
          if (!(await isCancelled(docIdOfOutput(output)))) await ctx.publish(output);
        },
      };
      const outcomes = live.length > 0 ? await handler.handleBatch(live, guarded) : [];
      const byMessage = new Map(live.map((message, i) => [message, outcomes[i]]));
      return Promise.all(
        batch.map(async (message): Promise<JobOutcome> => {
          if (!byMessage.has(message)) return { outputs: [] };
          const outcome = byMessage.get(message) ?? { error: new Error(`handleBatch returned ${outcomes.length} outcomes for ${live.length} messages`) };
          if ('error' in outcome || outcome.outputs.length === 0 || !(await isCancelled(message.docId))) return outcome;
          message.log.info('document cancelled while in work: its outputs are dropped');
          return { outputs: [] };
        }),
      );
    },
  };
  return { handler: wrapped, stop: () => watch.stop() };
}
