import type { KV } from '@nats-io/kv';
import type { z } from 'zod';
import { decode, encode } from '@paperline/contracts';

/** The KV error the server gives when a compare-and-set lost to another writer. */
function isConflict(error: unknown): boolean {
  const message = (error as Error)?.message ?? '';
  return /wrong last sequence|key exists|10071/i.test(message);
}

export interface CasOptions {
  /** @default 50 */
  maxAttempts?: number;
}

/**
 * Read-modify-write of one KV key by compare-and-set: `mutate` gets the current value (or
 * undefined) and returns the next one, or undefined to leave it as it is. On a conflict it
 * re-reads and retries with jitter; nobody holds a lock, so a crashed writer blocks nobody.
 * Returns the value in force afterwards.
 */
export async function casUpdate<S extends z.ZodType>(
  kv: KV,
  key: string,
  schema: S,
  mutate: (current: z.infer<S> | undefined) => z.input<S> | undefined,
  options: CasOptions = {},
): Promise<z.infer<S> | undefined> {
  const maxAttempts = options.maxAttempts ?? 50;
  for (let attempt = 1; ; attempt++) {
    const entry = await kv.get(key);
    const live = entry && entry.operation === 'PUT' && entry.value.length > 0;
    const current = live ? (decode(schema, entry.value) as z.infer<S>) : undefined;
    const next = mutate(current);
    if (next === undefined) return current;
    const bytes = encode(schema, next);
    try {
      // a deleted key still has a revision: update on it, create only where none ever was
      if (entry) await kv.update(key, bytes, entry.revision);
      else await kv.create(key, bytes);
      return decode(schema, bytes) as z.infer<S>;
    } catch (error) {
      if (!isConflict(error) || attempt >= maxAttempts) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 5 * attempt)));
    }
  }
}
