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
 * `pl-jobs` once per batch (a cancelled one is remembered: the state is final), and once more
 * per output and at the batch's end (questions asked while a read is under way share it).
 */
export function dropCancelledDocuments<T>(handler: StageHandler<T>, jobs: JobStore): StageHandler<T> {
  const known = new Set<string>();
  // a read already under way answers every question asked meanwhile: the eight pages of a batch
  // checked at its end cost one KV read, not eight (an answer is at most that read's round trip old)
  const reading = new Map<string, Promise<boolean>>();
  const read = async (docId: string): Promise<boolean> => {
    const job = await jobs.get(docId).catch(() => undefined);
    if (job?.status !== 'cancelled') return false;
    // a bounded memory of final answers; forgetting one only costs a KV read
    if (known.size >= 10_000) known.clear();
    known.add(docId);
    return true;
  };
  const isCancelled = (docId: string | undefined): Promise<boolean> => {
    if (docId === undefined) return Promise.resolve(false);
    if (known.has(docId)) return Promise.resolve(true);
    let answer = reading.get(docId);
    if (!answer) {
      answer = read(docId).finally(() => reading.delete(docId));
      reading.set(docId, answer);
    }
    return answer;
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
          // nothing to drop: no read (assemble returns no outputs at all)
          if ('error' in outcome || outcome.outputs.length === 0 || !(await isCancelled(message.docId))) return outcome;
          message.log.info('document cancelled while in work: its outputs are dropped');
          return { outputs: [] };
        }),
      );
    },
  };
}
