// The per-message loop most handlers want: messages of a batch handled one after another, each
// one's thrown error its own outcome, so one bad region never fails its batch neighbours.
import type { JobOutcome, Output, StageMessage } from './types.js';

export async function handleEachMessage<T>(batch: ReadonlyArray<StageMessage<T>>, handle: (message: StageMessage<T>) => Promise<Output[]>): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = [];
  for (const message of batch) {
    try {
      outcomes.push({ outputs: await handle(message) });
    } catch (error) {
      outcomes.push({ error });
    }
  }
  return outcomes;
}
