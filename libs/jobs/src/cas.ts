import type { KV } from '@nats-io/kv';
import type { z } from 'zod';
import { decode, encode } from '@paperline/contracts';

/** The KV error the server gives when a compare-and-set lost to another writer. */
function isConflict(error: unknown): boolean {
  const message = (error as Error)?.message ?? '';
  return /wrong last sequence|key exists|10071/i.test(message);
}

/**
 * The value and revision this process last wrote per key, so that its next update of the same key
 * goes straight to the compare-and-set instead of reading the key first: assemble updates a
 * page's record once per page and batch of results, and a document's record once per page. The revision
 * check still catches any writer in between (the update fails, the key is read, the update is
 * retried), so a stale entry costs a round trip and never a lost write. Bounded: the oldest
 * entries are forgotten first.
 */
export class CasCache {
  private readonly entries = new Map<string, { revision: number; bytes: Uint8Array }>();

  constructor(private readonly maxEntries = 1_000) {}

  get(key: string): { revision: number; bytes: Uint8Array } | undefined {
    return this.entries.get(key);
  }

  set(key: string, revision: number, bytes: Uint8Array): void {
    this.entries.delete(key);
    this.entries.set(key, { revision, bytes });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

export interface CasOptions {
  /** @default 50 */
  maxAttempts?: number;
  /** The writes this process made, to update from without reading first. */
  cache?: CasCache;
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
  const cache = options.cache;
  for (let attempt = 1; ; attempt++) {
    const cached = attempt === 1 ? cache?.get(key) : undefined;
    let revision: number | undefined;
    let current: z.infer<S> | undefined;
    if (cached) {
      revision = cached.revision;
      current = decode(schema, cached.bytes) as z.infer<S>;
    } else {
      const entry = await kv.get(key);
      // a deleted key still has a revision: update on it, create only where none ever was
      revision = entry?.revision;
      current = entry && entry.operation === 'PUT' && entry.value.length > 0 ? (decode(schema, entry.value) as z.infer<S>) : undefined;
    }
    const next = mutate(current);
    if (next === undefined) {
      // "nothing to change" is an answer about the stored value, not about this process's last write
      if (cached) continue;
      return current;
    }
    const bytes = encode(schema, next);
    try {
      const written = revision !== undefined ? await kv.update(key, bytes, revision) : await kv.create(key, bytes);
      cache?.set(key, written, bytes);
      return decode(schema, bytes) as z.infer<S>;
    } catch (error) {
      cache?.delete(key);
      if (!isConflict(error) || attempt >= maxAttempts) throw error;
      // a stale cache entry is no contention: read again at once
      if (!cached) await new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 5 * attempt)));
    }
  }
}
