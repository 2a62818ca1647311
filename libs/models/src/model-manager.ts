// ModelManager: loads a model on first use, shares it by reference count, and gives its memory
// back (session released, lease deleted) when it has been idle long enough, when another
// instance needs the room, under memory pressure, on pause and at shutdown.
import type { InferenceSession } from 'onnxruntime-node';
import type { Bus } from '@paperline/bus';
import { MODEL_EVENTS, ModelEventSchema, PaperlineError, SCHEMA_VERSION, Subjects, encode, isPaperlineError, type ModelEvent } from '@paperline/contracts';
import { MemoryError, formatDevice, parseDevice, type FootprintStore, type DeviceBudgets, type EvictRequest, type MemoryBudget } from '@paperline/memory';
import { childLogger, silentLogger, type Logger, type Metrics } from '@paperline/telemetry';
import { ModelError } from './errors.js';
import type { Manifest, ModelSpec } from './manifest.js';
import { mappedNotResident, measureDevice, serializeLoad } from './measure.js';
import { OnnxSessionFactory, type SessionFactory } from './session-factory.js';

export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;
export const DEFAULT_PROVIDERS = ['cuda:0', 'cpu'] as const;

export interface ModelManagerOptions<S> {
  manifest: Manifest;
  stage: string;
  instance: string;
  /** Node name in device ids. */
  node: string;
  /** The manager owns these: teardown() closes them. */
  budgets: DeviceBudgets;
  footprints?: FootprintStore;
  /** @default OnnxSessionFactory */
  sessions?: SessionFactory<S>;
  /** Execution providers in order of preference. @default ['cuda:0', 'cpu'] */
  providers?: readonly string[];
  /** Policy: run on cpu when the GPU cannot take a model that allows it. @default true */
  cpuFallback?: boolean;
  /** A model nobody used for this long is unloaded. @default 300_000 */
  idleTimeoutMs?: number;
  /** Check files against their manifest sha256 on first load. @default true */
  verifyChecksums?: boolean;
  /** nvidia-smi binary for GPU footprints. @default 'nvidia-smi' */
  nvidiaSmi?: string;
  /** Model events go to `pl.events.model.<event>` when given. */
  bus?: Bus;
  log?: Logger;
  metrics?: Metrics;
  /**
   * Wraps the session each handle gives out (the model runtime times every run into
   * pl_inference_seconds with it); the manager keeps and releases the unwrapped one.
   */
  instrument?: (session: S, labels: { stage: string; model: string; device: string }) => S;
}

/** A model in use. Call release() exactly once when done. */
export interface ModelHandle<S> {
  readonly model: string;
  readonly device: string;
  readonly session: S;
  release(): void;
}

interface Loaded<S> {
  session: S;
  device: string;
  leaseId: string;
  budget: MemoryBudget;
  bytes: number;
  loadedAt: number;
}

interface Slot<S> {
  spec: ModelSpec;
  refs: number;
  loaded: Loaded<S> | undefined;
  leaseState: 'loading' | 'active' | 'idle';
  /** Serialises load, unload and lease-state writes of this model. */
  lock: Promise<void>;
  idleTimer: NodeJS.Timeout | undefined;
  /** Unload as soon as the last reference is released (lease lost, unloadAll while in use). */
  unloadOnRelease: string | undefined;
  lastUsedAt: number;
}

type UnloadEvent = 'unload' | 'evict' | 'idle_unload';

export class ModelManager<S = InferenceSession> {
  private readonly slots = new Map<string, Slot<S>>();
  private readonly sessions: SessionFactory<S>;
  private readonly providers: readonly string[];
  private readonly idleTimeoutMs: number;
  private readonly log: Logger;
  private readonly wiredBudgets = new WeakSet<MemoryBudget>();
  private tornDown = false;

  constructor(private readonly options: ModelManagerOptions<S>) {
    this.sessions = options.sessions ?? (new OnnxSessionFactory() as unknown as SessionFactory<S>);
    this.providers = options.providers ?? DEFAULT_PROVIDERS;
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.log = childLogger(options.log ?? silentLogger(), { component: 'models', stage: options.stage, instance: options.instance });
    // every event of this stage's models exists from the first scrape, so increase() counts the first one
    for (const spec of options.manifest.models.filter((m) => m.stage === options.stage)) {
      for (const event of MODEL_EVENTS) options.metrics?.modelEvents.inc({ model: spec.id, event }, 0);
    }
  }

  /** The model's session, loading it first if needed (reserving budget before loading). */
  async acquire(modelId: string): Promise<ModelHandle<S>> {
    if (this.tornDown) throw new ModelError('CLOSED');
    const slot = this.slot(modelId);
    slot.refs += 1;
    clearTimeout(slot.idleTimer);
    let loaded: Loaded<S>;
    try {
      loaded = await this.locked(slot, async () => {
        if (!slot.loaded) {
          slot.loaded = await this.load(slot.spec);
          slot.leaseState = 'loading';
        }
        await this.syncLease(slot);
        return slot.loaded;
      });
    } catch (error) {
      slot.refs -= 1;
      throw error;
    }
    slot.lastUsedAt = Date.now();
    let released = false;
    return {
      model: modelId,
      device: loaded.device,
      session: this.options.instrument ? this.options.instrument(loaded.session, { stage: this.options.stage, model: modelId, device: loaded.device }) : loaded.session,
      release: () => {
        if (released) return;
        released = true;
        this.releaseRef(slot);
      },
    };
  }

  /** Unloads a model; one in use is only unloaded with force (its in-flight runs may then fail). */
  async unload(modelId: string, options: { force?: boolean } = {}): Promise<boolean> {
    const slot = this.slots.get(modelId);
    if (!slot) return false;
    return this.locked(slot, async () => {
      if (!slot.loaded) return false;
      if (slot.refs > 0 && !options.force) return false;
      await this.unloadLocked(slot, 'unload', options.force ? 'forced' : 'requested');
      return true;
    });
  }

  /** Unloads every model nobody is using; returns how many. */
  async unloadIdle(): Promise<number> {
    let count = 0;
    for (const slot of this.slots.values()) {
      const done = await this.locked(slot, async () => {
        if (!slot.loaded || slot.refs > 0) return false;
        await this.unloadLocked(slot, 'unload', 'idle models requested');
        return true;
      });
      if (done) count += 1;
    }
    return count;
  }

  /** Unloads idle models now and models in use as soon as they are released. */
  async unloadAll(reason = 'unload all'): Promise<void> {
    for (const slot of this.slots.values()) {
      await this.locked(slot, async () => {
        if (!slot.loaded) return;
        if (slot.refs > 0) slot.unloadOnRelease = reason;
        else await this.unloadLocked(slot, 'unload', reason);
      });
    }
  }

  /** Unloads everything (forced), deletes every lease, closes the budgets. */
  async teardown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    for (const slot of this.slots.values()) {
      clearTimeout(slot.idleTimer);
      try {
        await this.locked(slot, async () => {
          if (slot.loaded) await this.unloadLocked(slot, 'unload', 'teardown');
        });
      } catch (error) {
        this.log.error({ err: error, model: slot.spec.id }, 'unload at teardown failed');
      }
    }
    await this.options.budgets.closeAll();
  }

  /** For /status: what is loaded where, in use by how many, under which lease. */
  status(): Array<{ model: string; device: string | undefined; refs: number; bytes: number | undefined; leaseId: string | undefined; lastUsedAt: number }> {
    return [...this.slots.values()].map((s) => ({ model: s.spec.id, device: s.loaded?.device, refs: s.refs, bytes: s.loaded?.bytes, leaseId: s.loaded?.leaseId, lastUsedAt: s.lastUsedAt }));
  }

  isLoaded(modelId: string): boolean {
    return this.slots.get(modelId)?.loaded !== undefined;
  }

  private slot(modelId: string): Slot<S> {
    let slot = this.slots.get(modelId);
    if (!slot) {
      let spec: ModelSpec;
      try {
        spec = this.options.manifest.get(modelId);
      } catch (error) {
        throw new PaperlineError('MODEL_UNAVAILABLE', (error as Error).message, { cause: error });
      }
      slot = { spec, refs: 0, loaded: undefined, leaseState: 'idle', lock: Promise.resolve(), idleTimer: undefined, unloadOnRelease: undefined, lastUsedAt: 0 };
      this.slots.set(modelId, slot);
    }
    return slot;
  }

  private locked<T>(slot: Slot<S>, fn: () => Promise<T>): Promise<T> {
    const run = slot.lock.then(fn);
    slot.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private releaseRef(slot: Slot<S>): void {
    slot.refs -= 1;
    slot.lastUsedAt = Date.now();
    if (slot.refs > 0) return;
    const work = this.locked(slot, async () => {
      if (!slot.loaded || slot.refs > 0) return;
      if (slot.unloadOnRelease) await this.unloadLocked(slot, 'unload', slot.unloadOnRelease);
      else await this.syncLease(slot);
    });
    work.catch((error: unknown) => this.log.warn({ err: error, model: slot.spec.id }, 'marking the model idle failed'));
    if (this.idleTimeoutMs > 0 && !this.tornDown) {
      slot.idleTimer = setTimeout(() => {
        void this.locked(slot, async () => {
          if (slot.loaded && slot.refs === 0) await this.unloadLocked(slot, 'idle_unload', `idle for ${this.idleTimeoutMs} ms`);
        }).catch((error: unknown) => this.log.warn({ err: error, model: slot.spec.id }, 'idle unload failed'));
      }, this.idleTimeoutMs);
      slot.idleTimer.unref();
    }
  }

  /** Makes the lease state match the reference count: active while in use, idle otherwise. */
  private async syncLease(slot: Slot<S>): Promise<void> {
    const loaded = slot.loaded;
    if (!loaded) return;
    const wanted = slot.refs > 0 ? 'active' : 'idle';
    if (slot.leaseState === wanted) return;
    if (await loaded.budget.setState(loaded.leaseId, wanted)) slot.leaseState = wanted;
    else slot.unloadOnRelease = 'lease lost';
  }

  /** Another instance needs the room (or our lease was lost): unload unless the model is in use. */
  private async onEvict(request: EvictRequest): Promise<void> {
    const slot = [...this.slots.values()].find((s) => s.loaded?.leaseId === request.leaseId);
    if (!slot) return;
    await this.locked(slot, async () => {
      const loaded = slot.loaded;
      if (!loaded || loaded.leaseId !== request.leaseId) return;
      if (slot.refs > 0) {
        if (request.reason === 'lost') slot.unloadOnRelease = 'lease lost';
        else {
          // taken back into use before the eviction got here: keep it and reclaim the lease
          slot.leaseState = 'idle';
          await this.syncLease(slot);
        }
        return;
      }
      await this.unloadLocked(slot, 'evict', request.reason === 'evicting' ? 'evicted for another instance' : request.reason);
    });
  }

  private async load(spec: ModelSpec): Promise<Loaded<S>> {
    const candidates = this.providers.filter((p) => spec.devices.includes(parseDevice(p, this.options.node).kind));
    if (candidates.length === 0) {
      throw new PaperlineError('MODEL_UNAVAILABLE', `${spec.id} runs on ${spec.devices.join('/')}, providers are ${this.providers.join(', ')}`, { cause: new ModelError('NO_DEVICE') });
    }
    let lastError: unknown;
    for (const [i, provider] of candidates.entries()) {
      const device = formatDevice(parseDevice(provider, this.options.node));
      const kind = parseDevice(provider, this.options.node).kind;
      if (i > 0 && kind === 'cpu' && !(spec.cpuFallback && (this.options.cpuFallback ?? true))) break;
      try {
        return await this.loadOn(spec, provider, device);
      } catch (error) {
        lastError = error;
        if (isTerminalLoadError(error) || i === candidates.length - 1) break;
        const next = candidates[i + 1];
        const reason = (error as Error).message;
        // a node without the device is the default provider list on a cpu-only machine: expected, not a warning
        const absent = error instanceof MemoryError && error.code === 'UNKNOWN_DEVICE';
        this.log[absent ? 'info' : 'warn']({ model: spec.id, from: device, to: next, reason }, 'model falls back to the next provider');
        this.count(spec.id, 'fallback');
        await this.publish({ event: 'fallback', model: spec.id, device, reason: `${reason}; trying ${next}` });
      }
    }
    throw toPaperlineError(lastError, spec.id);
  }

  private async loadOn(spec: ModelSpec, provider: string, device: string): Promise<Loaded<S>> {
    const budgets = this.options.budgets;
    const budget = await budgets.get(device);
    if (!this.wiredBudgets.has(budget)) {
      budget.onEvict((request) => this.onEvict(request));
      this.wiredBudgets.add(budget);
    }
    const predicted = this.options.footprints ? await this.options.footprints.predict(spec.id, device, spec.memoryEstimateBytes) : spec.memoryEstimateBytes;
    if (parseDevice(device).kind === 'cuda') {
      const sample = await budgets.sample(device);
      const free = sample ? sample.totalBytes - sample.usedBytes : 0;
      if (free < predicted) throw new ModelError('DEVICE_FULL', `${device} has ${free} bytes free, ${spec.id} needs about ${predicted}`);
    }
    const started = Date.now();
    this.count(spec.id, 'load');
    await this.publish({ event: 'load', model: spec.id, device, bytes: predicted });
    const leaseId = await budget.reserve(spec.id, predicted);
    try {
      const files = await this.options.manifest.resolveFiles(spec, { verify: this.options.verifyChecksums ?? true });
      const { session, bytes } = await serializeLoad(async () => {
        const before = await measureDevice(device, this.options.nvidiaSmi);
        const created = await this.sessions.create(files, provider);
        // taken once create() returned, so onnxruntime's load buffers are freed; weights it
        // memory-mapped count in full, resident yet or not
        const added = Math.max(0, (await measureDevice(device, this.options.nvidiaSmi)) - before);
        return { session: created, bytes: added + (parseDevice(device).kind === 'cpu' ? await mappedNotResident(files) : 0) };
      });
      await this.options.footprints?.record(spec.id, device, bytes).catch((error: unknown) => this.log.warn({ err: error }, 'footprint not recorded'));
      this.options.metrics?.modelLoaded.set({ stage: this.options.stage, model: spec.id, device }, 1);
      this.options.metrics?.modelMemoryBytes.set({ model: spec.id, device }, bytes);
      this.count(spec.id, 'loaded');
      this.log.info({ model: spec.id, device, predictedBytes: predicted, measuredBytes: bytes, durationMs: Date.now() - started }, 'model loaded');
      await this.publish({ event: 'loaded', model: spec.id, device, bytes });
      return { session, device, leaseId, budget, bytes, loadedAt: Date.now() };
    } catch (error) {
      await budget.release(leaseId).catch(() => undefined);
      this.count(spec.id, 'load_failed');
      this.log.error({ model: spec.id, device, err: error }, 'model load failed');
      await this.publish({ event: 'load_failed', model: spec.id, device, reason: (error as Error).message });
      throw error;
    }
  }

  private async unloadLocked(slot: Slot<S>, event: UnloadEvent, reason: string): Promise<void> {
    const loaded = slot.loaded;
    if (!loaded) return;
    clearTimeout(slot.idleTimer);
    slot.loaded = undefined;
    slot.unloadOnRelease = undefined;
    slot.leaseState = 'idle';
    try {
      await this.sessions.release(loaded.session);
    } finally {
      await loaded.budget.release(loaded.leaseId);
      this.options.metrics?.modelLoaded.set({ stage: this.options.stage, model: slot.spec.id, device: loaded.device }, 0);
      this.options.metrics?.modelMemoryBytes.set({ model: slot.spec.id, device: loaded.device }, 0);
      this.count(slot.spec.id, event);
      this.log.info({ model: slot.spec.id, device: loaded.device, event, reason, heldMs: Date.now() - loaded.loadedAt }, 'model unloaded');
      await this.publish({ event, model: slot.spec.id, device: loaded.device, bytes: loaded.bytes, reason });
    }
  }

  private count(model: string, event: ModelEvent['event']): void {
    this.options.metrics?.modelEvents.inc({ model, event });
  }

  private async publish(event: Pick<ModelEvent, 'event' | 'model' | 'device'> & Partial<Pick<ModelEvent, 'bytes' | 'reason'>>): Promise<void> {
    const bus = this.options.bus;
    if (!bus) return;
    const body = { v: SCHEMA_VERSION, type: 'model' as const, stage: this.options.stage, instance: this.options.instance, at: new Date().toISOString(), ...event };
    try {
      await bus.publish(Subjects.modelEvent(event.event), encode(ModelEventSchema, body));
    } catch (error) {
      this.log.debug({ err: error, event: event.event }, 'model event not published');
    }
  }
}

/** Errors no other provider can fix: the files themselves are missing or wrong. */
function isTerminalLoadError(error: unknown): boolean {
  return error instanceof ModelError && (error.code === 'FILE_MISSING' || error.code === 'CHECKSUM_MISMATCH' || error.code === 'UNKNOWN_MODEL');
}

function toPaperlineError(error: unknown, model: string): unknown {
  if (isPaperlineError(error) || !(error instanceof Error)) return error;
  const retryable = (error as { retryable?: unknown }).retryable;
  if (typeof retryable === 'boolean') {
    return retryable ? new PaperlineError('TRANSIENT', `${model}: ${error.message}`, { cause: error }) : new PaperlineError('MODEL_UNAVAILABLE', `${model}: ${error.message}`, { cause: error });
  }
  return error;
}
