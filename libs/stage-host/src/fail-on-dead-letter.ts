import type { JobStore } from '@paperline/jobs';
import type { StageHandler } from '@paperline/stage';
import { dropCancelledDocuments, type CancelAwareHandler, type DropCancelledOptions } from './drop-cancelled.js';
import type { StageInstance } from './types.js';

/**
 * A terminal failure in any stage fails the document with that stage's code and reason, so the
 * client sees it; the handler's own dead-letter hook, if any, still runs. Every stage process
 * (standalone or embedded) wraps its handler with this.
 */
export function failDocumentOnDeadLetter<T>(handler: StageHandler<T>, jobs: JobStore): StageHandler<T> {
  return {
    ...handler,
    async onDeadLetter(failure) {
      if (failure.docId) await jobs.fail(failure.docId, failure);
      await handler.onDeadLetter?.(failure);
    },
  };
}

/**
 * The handler both hosts run: failures reach the document, a cancelled document's work is
 * dropped, and /status shows the backend and models. Its `stop` ends the cancellation
 * subscription: the host calls it once the runtime has drained.
 */
export function hostedHandler<T>(instance: StageInstance<T>, jobs: JobStore, cancel: DropCancelledOptions): CancelAwareHandler<T> {
  const dropping = dropCancelledDocuments(instance.handler, jobs, cancel);
  const handler = failDocumentOnDeadLetter(dropping.handler, jobs);
  const describe = instance.describe?.bind(instance);
  if (!describe) return { handler, stop: dropping.stop };
  return { handler: { ...handler, status: () => ({ ...handler.status?.(), ...describe() }) }, stop: dropping.stop };
}
