import type { Bus } from '@paperline/bus';
import { consumerName, consumerStream, stagePriorities } from '@paperline/contracts';
import { childLogger, getMetrics, presetStageMetrics, silentLogger, type Logger, type Metrics } from '@paperline/telemetry';
import { BatchRunner } from './batch-runner.js';
import { ControlPlane, type ControlChange, type ControlWatch } from './control-plane.js';
import { DeadLetters } from './dead-letters.js';
import type { Delivery } from './delivery.js';
import { StageError } from './errors.js';
import { Fetcher } from './fetcher.js';
import { HealthServer } from './health-server.js';
import { HeartbeatTracker } from './heartbeat.js';
import { LagPoller, type ConsumerRef } from './lag-poller.js';
import { Lifecycle, type StateListener } from './lifecycle.js';
import { OutputPublisher } from './publisher.js';
import { compileStageOptions, type CompiledStageOptions, type StageOptions } from './options.js';
import { StageStates as S, type StageHandler, type StageState } from './types.js';
import { Wake } from './wake.js';

export interface StageRuntimeDeps {
  bus: Bus;
  /** @default a silent logger */
  log?: Logger;
  /** @default the process registry (getMetrics()) */
  metrics?: Metrics;
  /** A shared health server (embedded mode) to register with instead of options.health. */
  healthServer?: HealthServer;
}

/**
 * Runs one stage handler on its durable consumers: priority fetch, batching, in-flight limit,
 * heartbeats, acks/naks/dead letters, live control flags, pause, health and graceful close.
 */
export class StageRuntime<T> {
  readonly options: CompiledStageOptions;
  private readonly bus: Bus;
  private readonly log: Logger;
  private readonly metrics: Metrics;
  private readonly lifecycle: Lifecycle;
  private readonly consumers: ConsumerRef[];
  private readonly lag: LagPoller;
  private readonly deadLetters: DeadLetters<T>;
  private readonly runner: BatchRunner<T>;
  private readonly publisher: OutputPublisher;
  private fetcher: Fetcher | undefined;
  private heartbeat: HeartbeatTracker | undefined;
  private control: ControlWatch | undefined;
  private health: HealthServer | undefined;
  private ownsHealth = false;
  private unregisterHealth: (() => void) | undefined;
  private readonly wake = new Wake();
  private readonly inBatches = new Set<Delivery>();
  private readonly batches = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private batchSize: number;
  private maxInflight: number;
  private kvPaused = false;
  private suspendReason: string | undefined;
  private releaseTimer: NodeJS.Timeout | undefined;
  private released = false;
  private stopWatchingReconnects: (() => void) | undefined;
  private dispatching: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly handler: StageHandler<T>,
    options: StageOptions,
    deps: StageRuntimeDeps,
  ) {
    this.options = compileStageOptions(options);
    if (handler.stage !== this.options.stage) throw new StageError('INVALID_OPTION', `stage is ${this.options.stage} but the handler is for ${handler.stage}`);
    this.bus = deps.bus;
    this.log = childLogger(deps.log ?? silentLogger(), { stage: this.options.stage, instance: this.options.instance });
    this.metrics = deps.metrics ?? getMetrics();
    presetStageMetrics(this.metrics, this.options.stage);
    this.health = deps.healthServer;
    this.lifecycle = new Lifecycle(this.log);
    this.batchSize = this.options.batchSize;
    this.maxInflight = this.options.maxInflightBatches;
    const stage = this.options.stage;
    this.consumers = stagePriorities(stage).map((priority) => ({ stream: consumerStream(stage), consumer: consumerName(stage, priority), priority }));
    this.lag = new LagPoller(this.bus.jsm, stage, this.consumers, this.metrics, this.log);
    this.deadLetters = new DeadLetters(this.bus, handler, stage, this.options.instance, this.metrics, this.log);
    this.publisher = new OutputPublisher(this.bus.nc);
    this.runner = new BatchRunner({ handler, bus: this.bus, options: this.options, metrics: this.metrics, log: this.log, deadLetters: this.deadLetters, publisher: this.publisher });
  }

  get state(): StageState {
    return this.lifecycle.state;
  }

  onStateChange(listener: StateListener): () => void {
    return this.lifecycle.onChange(listener);
  }

  /** Binds to the consumers, reads the control flags, and starts fetching (unless paused). */
  async start(): Promise<void> {
    if (this.state !== S.STARTING || this.fetcher) throw new StageError('ILLEGAL_TRANSITION', `start() in state ${this.state}`);
    try {
      await this.lag.poll().catch((error: unknown) => {
        throw new StageError('NOT_BOUND', `${this.consumers.map((c) => `${c.stream}/${c.consumer}`).join(', ')}: ${(error as Error).message}`, { cause: error });
      });
      const ackWaitMs = Math.min(...[...this.lag.depth.values()].map((d) => d.ackWaitMs));
      const heartbeat = new HeartbeatTracker(this.options.heartbeatMs ?? Math.max(10, Math.floor(ackWaitMs / 2)));
      this.heartbeat = heartbeat;
      this.fetcher = new Fetcher(
        this.bus.nc,
        this.options.stage,
        {
          capacity: () => this.batchSize * (this.maxInflight + 1),
          inBatches: () => this.inBatches.size,
          batchSize: () => this.batchSize,
          idlePollMs: this.options.idlePollMs,
        },
        (delivery) => this.onArrival(delivery),
        this.log,
      );
      this.deadLetters.watchAdvisories(this.consumers);
      this.watchConnection();
      await this.startHealth();
      if (this.options.controlWatch) await this.watchControl();
      if (this.state !== S.STARTING) return; // closed while starting
      const initial = this.wantsPause() ? S.PAUSED : S.READY;
      this.lifecycle.move(initial, 'started');
      this.metrics.stagePaused.set({ stage: this.options.stage }, initial === S.PAUSED ? 1 : 0);
      if (initial === S.READY) this.fetcher.start();
      else if (this.kvPaused) this.scheduleRelease();
      this.dispatching = this.dispatchLoop();
      this.lag.start(this.options.lagPollMs);
    } catch (error) {
      if (this.lifecycle.canMove(S.FAILED)) this.lifecycle.move(S.FAILED, `start failed: ${(error as Error).message}`);
      await this.cleanup();
      throw error;
    }
  }

  /** Stops fetching locally (memory guard), whatever the KV flag says; in-flight work finishes. */
  suspend(reason: string): void {
    this.suspendReason = reason;
    this.log.warn({ reason }, 'suspended');
    this.applyPause(`suspended: ${reason}`);
  }

  unsuspend(): void {
    if (this.suspendReason === undefined) return;
    this.suspendReason = undefined;
    this.applyPause('unsuspended');
  }

  /** Connected and bound to its consumers, and neither closing nor failed. */
  ready(): boolean {
    return this.bus.connected && this.lag.ok && (this.state === S.READY || this.state === S.PAUSED);
  }

  status(): Record<string, unknown> {
    const queue: Record<string, unknown> = {};
    for (const [priority, depth] of this.lag.depth) queue[priority] = { pending: depth.pending, ackPending: depth.ackPending };
    let handlerStatus: Record<string, unknown> | undefined;
    try {
      handlerStatus = this.handler.status?.();
    } catch (error) {
      handlerStatus = { error: (error as Error).message };
    }
    return {
      stage: this.options.stage,
      instance: this.options.instance,
      state: this.state,
      ready: this.ready(),
      paused: this.kvPaused,
      suspended: this.suspendReason ?? null,
      released: this.released,
      inflight: { batches: this.batches.size, messages: this.inBatches.size, buffered: this.fetcher?.buffered ?? 0 },
      batchSize: this.batchSize,
      maxInflightBatches: this.maxInflight,
      heartbeats: this.heartbeat?.beats ?? 0,
      queue,
      pullProblems: this.fetcher?.sources.flatMap((s) => (s.lastProblem ? [`${s.consumer}: ${s.lastProblem}`] : [])) ?? [],
      handler: handlerStatus,
    };
  }

  /** Stops fetching, naks what is buffered, lets in-flight batches finish within graceMs (then aborts and naks them), releases. Memoised. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.lifecycle.canMove(S.DRAINING)) this.lifecycle.move(S.DRAINING, 'close');
    this.wake.notify();
    this.metrics.stagePaused.set({ stage: this.options.stage }, 0);
    await this.step('stop control watch', () => this.control?.stop());
    await this.step('stop lag poller', () => this.lag.stop());
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    await this.step('stop fetching', () => {
      const stopped = this.fetcher?.stop();
      // pulls sent before the connection dropped will never be answered: do not wait out their timeouts
      if (!this.bus.connected) this.fetcher?.abandonOpenPulls();
      return stopped;
    });
    await this.step('nak buffered', () => this.nakBuffered());
    await this.step('finish in-flight batches', () => this.finishInflight());
    await this.step('wait for open pulls', () => (this.bus.connected ? this.waitForOpenPulls() : undefined));
    await this.step('release', () => this.release('shutdown'));
    await this.cleanup();
    await this.step('flush acks', () => (this.bus.connected ? this.bus.nc.flush() : undefined));
    if (this.lifecycle.canMove(S.STOPPED)) this.lifecycle.move(S.STOPPED, 'closed');
  }

  private async cleanup(): Promise<void> {
    await this.step('stop dead-letter advisories', () => this.deadLetters.close());
    await this.step('close pull subscriptions', () => this.fetcher?.close());
    await this.step('stop heartbeats', () => this.heartbeat?.stop());
    this.stopWatchingReconnects?.();
    await this.step('close publisher', () => this.publisher.close());
    await this.step('unregister health', () => this.unregisterHealth?.());
    if (this.ownsHealth) await this.step('close health server', () => this.health?.close());
    this.metrics.stageInflight.set({ stage: this.options.stage }, 0);
  }

  private async step(name: string, fn: () => unknown): Promise<void> {
    const started = Date.now();
    try {
      await fn();
    } catch (error) {
      this.log.warn({ err: error, step: name }, 'shutdown step failed');
    }
    this.log.debug({ step: name, ms: Date.now() - started }, 'shutdown step done');
  }

  private nakBuffered(): void {
    const buffered = this.fetcher?.takeAll() ?? [];
    for (const delivery of buffered) this.settleForShutdown(delivery);
    if (buffered.length > 0) this.log.info({ count: buffered.length }, 'nak buffered messages for another instance');
  }

  private async finishInflight(): Promise<void> {
    if (this.batches.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.allSettled([...this.batches]).then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.options.graceMs))),
    ]);
    clearTimeout(timer);
    if (!timedOut) return;
    const error = new StageError('SHUTDOWN_TIMEOUT', `${this.inBatches.size} messages after ${this.options.graceMs} ms; nak'ed for another instance`);
    this.log.warn({ err: error }, 'grace period over');
    this.abort.abort(error);
    for (const delivery of [...this.inBatches]) this.settleForShutdown(delivery);
  }

  /** Open long polls end within idlePollMs; a message they still bring is nak'ed, not stranded. */
  private async waitForOpenPulls(): Promise<void> {
    const deadline = Date.now() + this.options.idlePollMs + 1_000;
    while (this.fetcher && this.fetcher.sources.some((s) => s.outstanding > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.nakBuffered();
  }

  private settleForShutdown(delivery: Delivery): void {
    if (delivery.nak(0)) this.metrics.stageMessages.inc({ stage: this.options.stage, outcome: 'nak' });
    this.heartbeat?.delete(delivery);
  }

  private onArrival(delivery: Delivery): void {
    this.heartbeat?.add(delivery);
  }

  private async dispatchLoop(): Promise<void> {
    const fetcher = this.fetcher;
    if (!fetcher) return;
    while (this.state === S.READY || this.state === S.PAUSED) {
      if (this.batches.size >= this.maxInflight) {
        await this.wake.wait();
        continue;
      }
      if (fetcher.buffered === 0) {
        await Promise.race([fetcher.arrived.wait(), this.wake.wait()]);
        continue;
      }
      if (fetcher.buffered < this.batchSize && fetcher.isFetching) {
        const waitMs = (fetcher.oldestArrival ?? Date.now()) + this.options.maxBatchWaitMs - Date.now();
        if (waitMs > 0) {
          await Promise.race([fetcher.arrived.wait(waitMs), this.wake.wait()]);
          continue;
        }
      }
      this.launch(fetcher.take(this.batchSize));
    }
  }

  private launch(batch: Delivery[]): void {
    for (const delivery of batch) this.inBatches.add(delivery);
    this.metrics.stageInflight.set({ stage: this.options.stage }, this.inBatches.size);
    const run = this.runner
      .run(batch, this.abort.signal)
      .catch((error: unknown) => this.log.error({ err: error }, 'batch failed'))
      .finally(() => {
        for (const delivery of batch) {
          this.inBatches.delete(delivery);
          this.heartbeat?.delete(delivery);
        }
        this.batches.delete(run);
        this.metrics.stageInflight.set({ stage: this.options.stage }, this.inBatches.size);
        this.wake.notify();
        this.fetcher?.notifySpace();
      });
    this.batches.add(run);
  }

  private wantsPause(): boolean {
    return this.kvPaused || this.suspendReason !== undefined;
  }

  private applyPause(reason: string): void {
    const fetcher = this.fetcher;
    if (this.state === S.READY && this.wantsPause()) {
      this.lifecycle.move(S.PAUSED, reason);
      this.metrics.stagePaused.set({ stage: this.options.stage }, 1);
      void fetcher?.stop();
    } else if (this.state === S.PAUSED && !this.wantsPause()) {
      this.lifecycle.move(S.READY, reason);
      this.metrics.stagePaused.set({ stage: this.options.stage }, 0);
      this.released = false;
      fetcher?.start();
    }
    if (this.state === S.PAUSED && this.kvPaused) this.scheduleRelease();
    else if (this.releaseTimer) {
      clearTimeout(this.releaseTimer);
      this.releaseTimer = undefined;
    }
    this.wake.notify();
  }

  /** After pauseGraceMs of pause, and once in-flight batches are done, the handler gives its memory back. */
  private scheduleRelease(): void {
    if (this.releaseTimer || this.released) return;
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      void (async () => {
        await Promise.allSettled([...this.batches]);
        if (this.state === S.PAUSED && this.kvPaused) await this.release('paused');
      })();
    }, this.options.pauseGraceMs);
    this.releaseTimer.unref();
  }

  private async release(why: string): Promise<void> {
    if (this.released || !this.handler.release) return;
    this.released = true;
    const started = Date.now();
    try {
      await this.handler.release();
      this.log.info({ why, durationMs: Date.now() - started }, 'released');
    } catch (error) {
      this.log.error({ err: error, why }, 'release failed');
    }
  }

  private async watchControl(): Promise<void> {
    const control = await ControlPlane.open(this.bus);
    const flags = await control.stageFlags(this.options.stage);
    this.kvPaused = flags.paused;
    this.batchSize = flags.batchSize ?? this.options.batchSize;
    this.maxInflight = flags.concurrency ?? this.options.maxInflightBatches;
    this.control = await control.watch((change) => this.onControl(change), { keys: `stage.${this.options.stage}.>`, log: this.log });
  }

  private onControl(change: ControlChange): void {
    if (change.kind === 'feature' || change.stage !== this.options.stage) return;
    if (this.state !== S.READY && this.state !== S.PAUSED && this.state !== S.STARTING) return;
    this.log.info({ flag: change.kind, value: change.value }, 'control flag');
    if (change.kind === 'paused') {
      this.kvPaused = change.value === true;
      if (this.state !== S.STARTING) this.applyPause(this.kvPaused ? 'paused by flag' : 'resumed by flag');
    } else if (change.kind === 'concurrency') {
      this.maxInflight = change.value ?? this.options.maxInflightBatches;
    } else {
      this.batchSize = change.value ?? this.options.batchSize;
    }
    this.wake.notify();
    this.fetcher?.notifySpace();
  }

  private async startHealth(): Promise<void> {
    if (!this.health && this.options.health) {
      this.health = new HealthServer({ ...this.options.health, registry: this.metrics.registry, log: this.log });
      this.ownsHealth = true;
      await this.health.start();
    }
    this.unregisterHealth = this.health?.register({ name: this.options.stage, ready: () => this.ready(), status: () => this.status() });
  }

  /** Pulls sent before a disconnect are not answered after the reconnect: end them now rather than after their slack. */
  private watchConnection(): void {
    this.stopWatchingReconnects = this.bus.onReconnect(() => {
      const fetcher = this.fetcher;
      if (!fetcher || !fetcher.sources.some((s) => s.outstanding > 0)) return;
      this.log.info('reconnected: pulls sent before the disconnect abandoned');
      fetcher.abandonOpenPulls();
    });
  }

  /** The health server this runtime registered with (its own or the shared one). */
  get healthServer(): HealthServer | undefined {
    return this.health;
  }
}
