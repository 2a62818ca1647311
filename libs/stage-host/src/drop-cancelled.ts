import type { JobStore } from '@paperline/jobs';
import type { BatchContext, JobOutcome, Output, StageHandler, StageMessage } from '@paperline/stage';

/** The document an output belongs to, from its Nats-Msg-Id (`<docId>:...`). */
function docIdOfOutput(output: Output): string | undefined {
  const colon = output.msgId.indexOf(':');
  return colon > 0 ? output.msgId.slice(0, colon) : undefined;
}

/**
 * Every stage's handler is wrapped with this: a message of a cancelled document is acked without
 * work, and what a running batch publishes or returns for a document cancelled meanwhile is
 * dropped, so a cancel ends its work at the next step of every stage. A document is read from
 * `pl-jobs` once per batch (a cancelled one is remembered: the state is final).
 */
export function dropCancelledDocuments<T>(handler: StageHandler<T>, jobs: JobStore): StageHandler<T> {
  const known = new Set<string>();
  const isCancelled = async (docId: string | undefined): Promise<boolean> => {
    if (docId === undefined) return false;
    if (known.has(docId)) return true;
    const job = await jobs.get(docId).catch(() => undefined);
    if (job?.status !== 'cancelled') return false;
    // a bounded memory of final answers; forgetting one only costs a KV read
    if (known.size >= 10_000) known.clear();
    known.add(docId);
    return true;
  };
  return {
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
          if ('error' in outcome || !(await isCancelled(message.docId))) return outcome;
          message.log.info('document cancelled while in work: its outputs are dropped');
          return { outputs: [] };
        }),
      );
    },
  };
}
