// Learned model footprints: KV `pl-memory` `footprint.<model>.<device>`, a moving average of the
// memory deltas measured at load, so later reservations predict real sizes, not manifest guesses.
import type { KV } from '@nats-io/kv';
import type { Bus } from '@paperline/bus';
import { Buckets, FootprintSchema, MemoryKeys, SCHEMA_VERSION, type Footprint } from '@paperline/contracts';
import { MemoryError } from './errors.js';
import { isRevisionConflict, jitter } from './ledger-cas.js';

/** Weight of a new sample once the average has settled. */
const EMA_ALPHA = 0.3;
/** Up to this many samples the plain mean is used (an EMA of 1-2 samples is mostly its seed). */
const MEAN_SAMPLES = 3;
const MAX_ATTEMPTS = 16;

export class FootprintStore {
  private constructor(private readonly kv: KV) {}

  static async open(bus: Bus): Promise<FootprintStore> {
    return new FootprintStore(await bus.kv(Buckets.memory));
  }

  async get(model: string, device: string): Promise<Footprint | undefined> {
    const entry = await this.kv.get(MemoryKeys.footprint(model, device));
    if (!entry || entry.operation !== 'PUT') return undefined;
    const parsed = FootprintSchema.safeParse(entry.json());
    return parsed.success ? parsed.data : undefined;
  }

  /** Predicted bytes: the learned footprint, else the fallback (the manifest estimate). */
  async predict(model: string, device: string, fallbackBytes: number): Promise<number> {
    return (await this.get(model, device))?.bytes ?? fallbackBytes;
  }

  /** Folds one measured load into the average (compare-and-set, so concurrent loads all count). */
  async record(model: string, device: string, measuredBytes: number): Promise<Footprint> {
    const key = MemoryKeys.footprint(model, device);
    const sample = Math.max(0, Math.round(measuredBytes));
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const entry = await this.kv.get(key);
      const previous = entry?.operation === 'PUT' ? FootprintSchema.safeParse(entry.json()).data : undefined;
      const samples = (previous?.samples ?? 0) + 1;
      const bytes = !previous
        ? sample
        : samples <= MEAN_SAMPLES
          ? Math.round((previous.bytes * previous.samples + sample) / samples)
          : Math.round(previous.bytes * (1 - EMA_ALPHA) + sample * EMA_ALPHA);
      const next: Footprint = { v: SCHEMA_VERSION, model, device, bytes, samples, updatedAt: new Date().toISOString() };
      try {
        if (entry) await this.kv.update(key, JSON.stringify(next), entry.revision);
        else await this.kv.create(key, JSON.stringify(next));
        return next;
      } catch (error) {
        if (!isRevisionConflict(error)) throw error;
        await jitter(attempt);
      }
    }
    throw new MemoryError('LEDGER_CONFLICT', `${MAX_ATTEMPTS} attempts on ${key}`);
  }
}
