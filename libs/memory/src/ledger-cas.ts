// Compare-and-set helpers shared by the ledger and the footprint store.

const WRONG_LAST_SEQUENCE = 10071;

/** True when a kv.update/create lost a race (the entry's revision moved on). */
export function isRevisionConflict(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === WRONG_LAST_SEQUENCE || /wrong last sequence|key exists/i.test(error.message);
}

/** Full-jitter backoff: racing writers spread out instead of colliding again in lockstep. */
export function jitter(attempt: number): Promise<void> {
  const ceiling = Math.min(250, 5 * 2 ** Math.min(attempt, 6));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
