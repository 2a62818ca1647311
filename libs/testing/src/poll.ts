// Waiting for a condition in a test: a busy machine makes every fixed delay a guess, so tests poll
// a probe until it holds or a deadline passes, and the timeout names what never happened.

export interface PollOptions {
  /** @default 60_000 */
  timeoutMs?: number;
  /** @default 50 */
  intervalMs?: number;
  /** Appended to the timeout's message (a process's output, say). */
  detail?: () => string;
  /** A probe that throws is tried again, its last error the timeout's cause. @default false: it fails the wait */
  retryErrors?: boolean;
}

/** Polls `probe` until it returns a value other than `undefined` or `false`, and returns that value. */
export async function pollUntil<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, options: PollOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (!options.retryErrors) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = options.detail ? `\n${options.detail()}` : '';
      throw new Error(`timed out waiting for ${what} (${timeoutMs} ms)${detail}`, lastError === undefined ? undefined : { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}
