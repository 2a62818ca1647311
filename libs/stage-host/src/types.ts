import type { Bus, NatsAuthSettings } from '@paperline/bus';
import type { LoadOptions } from '@paperline/config';
import type { StageName } from '@paperline/contracts';
import type { JobStore } from '@paperline/jobs';
import type { RuntimeHooks } from '@paperline/models';
import type { StageHandler, StageOptions } from '@paperline/stage';
import type { Logger, Metrics } from '@paperline/telemetry';

/** The settings every stage's config has (the base schema of @paperline/config). */
export interface StageHostConfig {
  nats: { url: string; name: string; asyncTraces: boolean; provision: boolean; inboxPrefix: string } & NatsAuthSettings;
  instance: { id: string; node: string };
  log: { level: string };
  cancel: { recheckMs: number };
  health: { port: number; host: string };
}

/** Runtime settings a stage chooses for itself; the host adds stage, instance and health. */
export type StageRuntimeDefaults = Partial<Omit<StageOptions, 'stage' | 'instance' | 'health'>>;

/** What a stage is given to build itself, the same in its own process and in the embedded pipeline. */
export interface StageDeps<C> {
  /** A connection that outlives the runtime's drain at shutdown (job updates, model leases). */
  bus: Bus;
  jobs: JobStore;
  log: Logger;
  config: C;
  metrics: Metrics;
  /**
   * The memory guard's levers: suspend and resume the stage's runtime, recycle the process.
   * Standalone, recycle drains and exits 75 for a fresh process; embedded it can only log.
   */
  hooks: RuntimeHooks;
}

/** The backend a stage runs with and the models it uses, for `/status`, `paperline status` and `parse`. */
export interface StageDescription {
  /** e.g. 'text-layer', 'pp-ocr', 'pp-doclayout-s', 'slanet', 'rulings' */
  backend: string;
  /** Manifest ids of the models the backend uses; empty for a model-free backend. */
  models: string[];
}

/** A built stage. Unloading on pause is the handler's own `release` (StageHandler), called by the runtime. */
export interface StageInstance<T> {
  handler: StageHandler<T>;
  /** Run after the runtime drained, before exit: stop the guard, unload models, delete leases. */
  close?(): Promise<void>;
  describe?(): StageDescription;
}

/**
 * One stage, as `services/<stage>` exports it from its index. Its process (`main.ts`) is
 * `await runStageModule(module)`; the embedded pipeline runs every module of its list with
 * `startEmbeddedStage`.
 */
export interface StageModule<T = unknown, C extends StageHostConfig = StageHostConfig> {
  readonly stage: StageName;
  /** The convict schema of `loadConfig`, for documentation (describeSchema). */
  readonly schema: object;
  /** Defaults < PL_CONFIG_FILE < env < overrides (the embedded pipeline's per-stage settings). */
  loadConfig(options?: LoadOptions): C;
  /** Batch size, concurrency and the like, from the stage's config. */
  runtime?(config: C): StageRuntimeDefaults;
  create(deps: StageDeps<C>): Promise<StageInstance<T>> | StageInstance<T>;
  /**
   * The backend and models `create` would choose with this config, without loading anything or
   * joining the cluster (`paperline models list`).
   */
  plan?(config: C): Promise<StageDescription> | StageDescription;
}
