// The per-device memory ledger of DESIGN.md: KV `pl-memory` key `ledger.<device>`. Nobody holds a
// lock: every write is a compare-and-set on the entry's revision, retried with jitter on conflict,
// so a crashed holder blocks nobody; its leases simply expire and the next writer prunes them.
import { randomBytes } from 'node:crypto';
import type { KV, KvEntry } from '@nats-io/kv';
import type { Bus } from '@paperline/bus';
import { Buckets, LedgerSchema, MemoryKeys, PaperlineError, SCHEMA_VERSION, validate, type Lease, type Ledger } from '@paperline/contracts';
import { childLogger, silentLogger, type Logger, type Metrics } from '@paperline/telemetry';
import { MemoryError } from './errors.js';
import { isRevisionConflict, jitter } from './ledger-cas.js';

export const DEFAULT_LEASE_TTL_MS = 15_000;
export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_RESERVE_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRY_AFTER_MS = 5_000;
const MAX_CAS_ATTEMPTS = 64;
/** Wake a little after a blocking lease's expiry, so the pruning write sees it expired. */
const EXPIRY_MARGIN_MS = 25;

export interface MemoryBudgetOptions {
  bus: Bus;
  /** `cpu@<node>` or `cuda:<n>@<node>`. */
  device: string;
  stage: string;
  /** Leases are owned per instance; an instance only ever evicts its own models. */
  instance: string;
  capacityBytes: number;
  /** A lease not renewed for this long is pruned by the next writer. @default 15_000 */
  leaseTtlMs?: number;
  /** How often this instance renews its leases. @default 5_000 */
  heartbeatMs?: number;
  /** How long reserve() waits for room. @default 30_000 */
  reserveTimeoutMs?: number;
  /** Suggested nak delay carried by BUDGET_TIMEOUT. @default 5_000 */
  retryAfterMs?: number;
  log?: Logger;
  metrics?: Metrics;
}

export interface EvictRequest {
  leaseId: string;
  model: string;
  reason: 'evicting' | 'reclaim' | 'lost';
}

/**
 * Called when one of this instance's leases must go: marked `evicting` by another instance, needed
 * by this instance's own reserve, or lost (pruned after missed heartbeats). The handler unloads
 * the model (if it is not in use) and calls release().
 */
export type EvictHandler = (request: EvictRequest) => Promise<void> | void;

export interface ReserveOptions {
  /** @default the budget's reserveTimeoutMs */
  timeoutMs?: number;
  signal?: AbortSignal;
}

type Mutation<R> = (ledger: Ledger, now: number) => { write: boolean; result: R };

/** One instance's view of one device's ledger. */
export class MemoryBudget {
  readonly device: string;
  readonly leaseTtlMs: number;
  readonly heartbeatMs: number;
  readonly reserveTimeoutMs: number;
  /** This instance's lease ids and their models. */
  private readonly own = new Map<string, string>();
  private readonly evictionsInFlight = new Map<string, Promise<void>>();
  private readonly waiters = new Set<() => void>();
  private readonly log: Logger;
  private latest: { ledger: Ledger; revision: number } | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopWatch: (() => void) | undefined;
  private closed = false;
  private evictHandler: EvictHandler | undefined;

  private constructor(
    private readonly kv: KV,
    private readonly options: MemoryBudgetOptions,
  ) {
    this.device = options.device;
    this.leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.reserveTimeoutMs = options.reserveTimeoutMs ?? DEFAULT_RESERVE_TIMEOUT_MS;
    this.log = childLogger(options.log ?? silentLogger(), { device: options.device });
  }

  /** Opens (creating if absent) the device's ledger, starts the watch and the heartbeat. */
  static async open(options: MemoryBudgetOptions): Promise<MemoryBudget> {
    const budget = new MemoryBudget(await options.bus.kv(Buckets.memory), options);
    await budget.ensureLedger();
    await budget.startWatch();
    budget.heartbeat = setInterval(() => void budget.renew(), budget.heartbeatMs);
    budget.heartbeat.unref();
    return budget;
  }

  get key(): string {
    return MemoryKeys.ledger(this.device);
  }

  get instance(): string {
    return this.options.instance;
  }

  /** Who unloads this instance's models when their leases must go (the ModelManager). */
  onEvict(handler: EvictHandler): void {
    this.evictHandler = handler;
  }

  /** The last ledger seen (by a write or the watch). */
  snapshot(): Ledger | undefined {
    return this.latest?.ledger;
  }

  ownLeases(): string[] {
    return [...this.own.keys()];
  }

  /**
   * Adds a `loading` lease of `bytes` once it fits. While it does not, marks the least recently
   * used idle leases of other instances `evicting` (asks this instance's own idle models to go
   * directly) and waits on the KV watch, or until a blocking lease expires, up to the timeout.
   */
  async reserve(model: string, bytes: number, options: ReserveOptions = {}): Promise<string> {
    this.assertOpen();
    const capacity = this.latest?.ledger.capacityBytes ?? this.options.capacityBytes;
    if (bytes > capacity) throw new MemoryError('LEASE_TOO_LARGE', `${model} needs ${bytes} bytes, ${this.device} has ${capacity} in all`);
    const leaseId = `${this.options.instance}.${model}.${randomBytes(4).toString('hex')}`;
    const deadline = Date.now() + (options.timeoutMs ?? this.reserveTimeoutMs);
    for (;;) {
      options.signal?.throwIfAborted();
      const { result, revision } = await this.mutate((ledger, now) => this.tryAdd(ledger, now, leaseId, model, bytes));
      if (result.added) {
        this.own.set(leaseId, model);
        this.log.debug({ model, bytes, leaseId }, 'lease reserved');
        return leaseId;
      }
      for (const lease of result.ownIdle) await this.requestEviction(lease, 'reclaim');
      // retry at once only if that freed something; a reclaimed (in use) model frees nothing
      if (result.ownIdle.some((lease) => !this.own.has(lease.leaseId))) continue;
      const now = Date.now();
      if (now >= deadline) {
        throw new PaperlineError('BUDGET_TIMEOUT', `${model} needs ${bytes} bytes on ${this.device}; ${result.reserved} of ${result.capacity} reserved`, {
          retryAfterMs: this.options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS,
        });
      }
      const wakeAt = Math.min(deadline, result.nextExpiry + EXPIRY_MARGIN_MS);
      await this.waitForChange(revision, wakeAt - now, options.signal);
    }
  }

  private tryAdd(ledger: Ledger, now: number, leaseId: string, model: string, bytes: number) {
    const leases = Object.entries(ledger.leases);
    const reserved = leases.reduce((sum, [, l]) => sum + l.bytes, 0);
    const base = { reserved, capacity: ledger.capacityBytes, ownIdle: [] as EvictRequest[], nextExpiry: Infinity };
    if (reserved + bytes <= ledger.capacityBytes) {
      ledger.leases[leaseId] = { stage: this.options.stage, instance: this.options.instance, model, bytes, state: 'loading', lastUsedAt: now, expiresAt: now + this.leaseTtlMs };
      return { write: true, result: { ...base, added: true } };
    }
    // Count what is already on its way out before asking for more.
    let coming = leases.filter(([, l]) => l.state === 'evicting').reduce((sum, [, l]) => sum + l.bytes, 0);
    const needed = reserved + bytes - ledger.capacityBytes;
    let marked = false;
    const idle = leases.filter(([, l]) => l.state === 'idle').sort(([, a], [, b]) => a.lastUsedAt - b.lastUsedAt);
    for (const [id, lease] of idle) {
      if (coming >= needed) break;
      coming += lease.bytes;
      // leases this object holds are handed to our own handler; everything else (other
      // instances, or another budget object of this process) is asked through the ledger
      if (this.own.has(id)) {
        base.ownIdle.push({ leaseId: id, model: lease.model, reason: 'reclaim' });
      } else {
        lease.state = 'evicting';
        marked = true;
      }
    }
    base.nextExpiry = Math.min(...leases.map(([, l]) => l.expiresAt));
    return { write: marked, result: { ...base, added: false } };
  }

  /** loading -> active -> idle -> active ...; false when the lease is gone (pruned). */
  async setState(leaseId: string, state: 'active' | 'idle'): Promise<boolean> {
    const { result } = await this.mutate((ledger, now) => {
      const lease = ledger.leases[leaseId];
      if (!lease) return { write: false, result: false };
      // An evicting lease taken into use again is reclaimed: its model is not unloaded after all.
      lease.state = state;
      lease.lastUsedAt = now;
      lease.expiresAt = now + this.leaseTtlMs;
      return { write: true, result: true };
    });
    if (!result) this.own.delete(leaseId);
    return result;
  }

  /** Deletes a lease: the memory is returned. */
  async release(leaseId: string): Promise<void> {
    this.own.delete(leaseId);
    await this.mutate((ledger) => {
      const present = leaseId in ledger.leases;
      delete ledger.leases[leaseId];
      return { write: present, result: undefined };
    });
  }

  /** Stops the heartbeat and the watch and deletes this instance's leases. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.stopWatch?.();
    const mine = new Set(this.own.keys());
    this.own.clear();
    if (mine.size > 0) {
      await this.mutate((ledger) => {
        for (const id of mine) delete ledger.leases[id];
        return { write: true, result: undefined };
      }).catch((error: unknown) => this.log.warn({ err: error }, 'could not delete leases at close; they will expire'));
    }
    for (const wake of this.waiters) wake();
  }

  /** Renews expiresAt of this instance's leases; notices leases lost to pruning. */
  private async renew(): Promise<void> {
    if (this.closed || this.own.size === 0) return;
    try {
      const { result: lost } = await this.mutate((ledger, now) => {
        const missing: string[] = [];
        for (const id of this.own.keys()) {
          const lease = ledger.leases[id];
          if (lease) lease.expiresAt = now + this.leaseTtlMs;
          else missing.push(id);
        }
        return { write: missing.length < this.own.size, result: missing };
      });
      for (const leaseId of lost) {
        const model = this.own.get(leaseId) ?? '';
        this.log.error({ leaseId, model }, 'lease was pruned (missed heartbeats); unloading its model');
        this.own.delete(leaseId);
        await this.requestEviction({ leaseId, model, reason: 'lost' }, 'lost');
      }
    } catch (error) {
      this.log.warn({ err: error }, 'lease heartbeat failed');
    }
  }

  /** Read, prune expired leases, apply, compare-and-set; on conflict re-read after a jittered pause. */
  private async mutate<R>(fn: Mutation<R>): Promise<{ result: R; revision: number }> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt += 1) {
      const entry = await this.kv.get(this.key);
      if (!entry || entry.operation !== 'PUT') {
        await this.ensureLedger();
        continue;
      }
      const ledger = validate(LedgerSchema, entry.json());
      const now = Date.now();
      let pruned = false;
      for (const [id, lease] of Object.entries(ledger.leases)) {
        if (lease.expiresAt <= now) {
          delete ledger.leases[id];
          pruned = true;
          this.log.info({ leaseId: id, model: lease.model, instance: lease.instance }, 'pruned an expired lease');
        }
      }
      const { write, result } = fn(ledger, now);
      if (!write && !pruned) {
        this.observe(ledger, entry.revision);
        return { result, revision: entry.revision };
      }
      try {
        const revision = await this.kv.update(this.key, JSON.stringify(ledger), entry.revision);
        this.observe(ledger, revision);
        return { result, revision };
      } catch (error) {
        if (!isRevisionConflict(error)) throw error;
        await jitter(attempt);
      }
    }
    throw new MemoryError('LEDGER_CONFLICT', `${MAX_CAS_ATTEMPTS} attempts on ${this.key}`);
  }

  private async ensureLedger(): Promise<void> {
    const entry = await this.kv.get(this.key);
    if (!entry || entry.operation !== 'PUT') {
      const ledger: Ledger = { v: SCHEMA_VERSION, device: this.device, capacityBytes: this.options.capacityBytes, leases: {} };
      try {
        await this.kv.create(this.key, JSON.stringify(ledger));
        this.log.info({ capacityBytes: ledger.capacityBytes }, 'ledger created');
      } catch (error) {
        if (!isRevisionConflict(error)) throw error;
      }
      return;
    }
    const capacity = validate(LedgerSchema, entry.json()).capacityBytes;
    if (capacity !== this.options.capacityBytes) {
      // The last instance started defines the capacity: config changes take effect on restart.
      this.log.warn({ from: capacity, to: this.options.capacityBytes }, 'ledger capacity changed by configuration');
      await this.mutate((ledger) => {
        ledger.capacityBytes = this.options.capacityBytes;
        return { write: true, result: undefined };
      });
    }
  }

  private async startWatch(): Promise<void> {
    const watch = await this.kv.watch({ key: this.key });
    this.stopWatch = () => watch.stop();
    void (async () => {
      for await (const entry of watch) this.onEntry(entry);
    })()
      .catch((error: unknown) => this.log.warn({ err: error }, 'ledger watch ended'))
      // a watch that ends while the budget is open (its server went away) is opened again
      .finally(() => {
        if (!this.closed) setTimeout(() => void this.startWatch().catch((error: unknown) => this.log.warn({ err: error }, 'ledger watch not reopened')), this.heartbeatMs).unref();
      });
  }

  private onEntry(entry: KvEntry): void {
    if (entry.operation !== 'PUT') return;
    const parsed = LedgerSchema.safeParse(entry.json());
    if (!parsed.success) {
      this.log.error({ revision: entry.revision }, 'ledger entry does not match its schema');
      return;
    }
    this.observe(parsed.data, entry.revision);
  }

  private observe(ledger: Ledger, revision: number): void {
    if (this.latest && this.latest.revision >= revision) return;
    this.latest = { ledger, revision };
    this.options.metrics?.budgetCapacityBytes.set({ device: this.device }, ledger.capacityBytes);
    this.options.metrics?.budgetReservedBytes.set({ device: this.device }, reservedBytes(ledger));
    // every newer ledger, watched or read by a write (the heartbeat writes every heartbeatMs), is
    // checked for our leases marked evicting: a watch lost in a server failover cannot leave an
    // eviction unanswered for longer than one heartbeat
    for (const [id, lease] of Object.entries(ledger.leases)) {
      if (lease.state === 'evicting' && this.own.has(id) && !this.evictionsInFlight.has(id)) void this.requestEviction({ leaseId: id, model: lease.model, reason: 'evicting' }, 'evicting');
    }
    for (const wake of this.waiters) wake();
  }

  /** One eviction per lease at a time; a second request waits for the first. */
  private requestEviction(request: EvictRequest, reason: EvictRequest['reason']): Promise<void> {
    const inFlight = this.evictionsInFlight.get(request.leaseId);
    if (inFlight) return inFlight;
    const run = (async () => {
      try {
        if (this.evictHandler) await this.evictHandler({ ...request, reason });
        else if (reason !== 'lost') await this.release(request.leaseId);
      } catch (error) {
        this.log.warn({ err: error, leaseId: request.leaseId }, 'eviction handler failed');
      } finally {
        this.evictionsInFlight.delete(request.leaseId);
      }
    })();
    this.evictionsInFlight.set(request.leaseId, run);
    return run;
  }

  /** Resolves on the next ledger revision after `revision`, after `ms`, or on abort. */
  private waitForChange(revision: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.latest && this.latest.revision > revision) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new MemoryError('BUDGET_CLOSED', this.device);
  }
}

export function reservedBytes(ledger: Ledger): number {
  return Object.values(ledger.leases).reduce((sum: number, lease: Lease) => sum + lease.bytes, 0);
}
