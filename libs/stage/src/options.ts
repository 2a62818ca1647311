import { hostname } from 'node:os';
import { STAGES, type StageName } from '@paperline/contracts';
import { StageError } from './errors.js';

export const DEFAULT_BATCH_SIZE = 8;
export const DEFAULT_MAX_BATCH_WAIT_MS = 20;
export const DEFAULT_MAX_INFLIGHT_BATCHES = 1;
export const DEFAULT_GRACE_MS = 30_000;
export const DEFAULT_PAUSE_GRACE_MS = 5_000;
export const DEFAULT_BACKOFF_INITIAL_MS = 1_000;
export const DEFAULT_BACKOFF_MAX_MS = 60_000;
export const DEFAULT_BACKOFF_FACTOR = 2;
export const DEFAULT_BACKOFF_JITTER = 0.2;
export const DEFAULT_HEALTH_HOST = '0.0.0.0';
export const DEFAULT_LAG_POLL_MS = 5_000;
export const DEFAULT_IDLE_POLL_MS = 500;

export interface BackoffOptions {
  /** Delay before the second delivery. @default DEFAULT_BACKOFF_INITIAL_MS (1_000) */
  initialMs?: number;
  /** Upper bound of any delay. @default DEFAULT_BACKOFF_MAX_MS (60_000) */
  maxMs?: number;
  /** Growth per delivery. @default DEFAULT_BACKOFF_FACTOR (2) */
  factor?: number;
  /** Fraction of the delay added or removed at random, so retries of one burst spread out. @default DEFAULT_BACKOFF_JITTER (0.2) */
  jitter?: number;
}

export interface HealthOptions {
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default DEFAULT_HEALTH_HOST ('0.0.0.0') */
  host?: string;
}

export interface StageOptions {
  stage: StageName;
  /** Unique per process; shows in logs, /status and dead letters. @default `<hostname>-<pid>` */
  instance?: string;
  /** Most messages handed to one handleBatch call; live-tunable by `stage.<stage>.batchSize`. @default DEFAULT_BATCH_SIZE (8) */
  batchSize?: number;
  /** How long a partial batch waits for more messages after its first one arrived. @default DEFAULT_MAX_BATCH_WAIT_MS (20) */
  maxBatchWaitMs?: number;
  /** Batches handled at once; live-tunable by `stage.<stage>.concurrency`. @default DEFAULT_MAX_INFLIGHT_BATCHES (1) */
  maxInflightBatches?: number;
  /** Shutdown: how long in-flight batches may run before they are aborted and nak'ed. @default DEFAULT_GRACE_MS (30_000) */
  graceMs?: number;
  /** After a pause, how long to wait before handler.release() (a short pause keeps the models). @default DEFAULT_PAUSE_GRACE_MS (5_000) */
  pauseGraceMs?: number;
  /** Retry delays of retryable failures, by delivery count. */
  backoff?: BackoffOptions;
  /** In-progress ack interval for held messages. @default half the consumer's ack_wait (read at start) */
  heartbeatMs?: number;
  /** A health server of this runtime's own; `false` when none, or when it registers with a shared one. @default false */
  health?: HealthOptions | false;
  /** Watch `pl-control` for paused, concurrency and batchSize. @default true */
  controlWatch?: boolean;
  /** How often consumer lag is read into pl_consumer_pending; 0 disables. @default DEFAULT_LAG_POLL_MS (5_000) */
  lagPollMs?: number;
  /** How long one idle long-poll pull stays open; bounds how late a pause takes effect. @default DEFAULT_IDLE_POLL_MS (500) */
  idlePollMs?: number;
}

export interface CompiledStageOptions {
  readonly stage: StageName;
  readonly instance: string;
  readonly batchSize: number;
  readonly maxBatchWaitMs: number;
  readonly maxInflightBatches: number;
  readonly graceMs: number;
  readonly pauseGraceMs: number;
  readonly backoff: Readonly<Required<BackoffOptions>>;
  readonly heartbeatMs: number | undefined;
  readonly health: Readonly<Required<HealthOptions>> | undefined;
  readonly controlWatch: boolean;
  readonly lagPollMs: number;
  readonly idlePollMs: number;
}

function integer(key: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StageError('INVALID_OPTION', `${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function finite(key: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new StageError('INVALID_OPTION', `${key} must be a number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Validates every field (errors name the key), applies defaults, and freezes the result. */
export function compileStageOptions(options: StageOptions): CompiledStageOptions {
  if (!STAGES.includes(options.stage)) {
    throw new StageError('INVALID_OPTION', `stage must be one of ${STAGES.join(', ')}, got ${JSON.stringify(options.stage)}`);
  }
  const instance = options.instance ?? `${hostname()}-${process.pid}`;
  if (typeof instance !== 'string' || instance.length === 0) throw new StageError('INVALID_OPTION', 'instance must be a non-empty string');
  const backoff = options.backoff ?? {};
  const initialMs = integer('backoff.initialMs', backoff.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS, 0);
  const maxMs = integer('backoff.maxMs', backoff.maxMs ?? DEFAULT_BACKOFF_MAX_MS, 0);
  if (maxMs < initialMs) throw new StageError('INVALID_OPTION', `backoff.maxMs (${maxMs}) must be >= backoff.initialMs (${initialMs})`);
  let health: CompiledStageOptions['health'];
  if (options.health) {
    health = Object.freeze({
      port: integer('health.port', options.health.port ?? 0, 0, 65_535),
      host: options.health.host ?? DEFAULT_HEALTH_HOST,
    });
  }
  return Object.freeze({
    stage: options.stage,
    instance,
    batchSize: integer('batchSize', options.batchSize ?? DEFAULT_BATCH_SIZE, 1, 10_000),
    maxBatchWaitMs: integer('maxBatchWaitMs', options.maxBatchWaitMs ?? DEFAULT_MAX_BATCH_WAIT_MS, 0, 60_000),
    maxInflightBatches: integer('maxInflightBatches', options.maxInflightBatches ?? DEFAULT_MAX_INFLIGHT_BATCHES, 1, 1_000),
    graceMs: integer('graceMs', options.graceMs ?? DEFAULT_GRACE_MS, 0),
    pauseGraceMs: integer('pauseGraceMs', options.pauseGraceMs ?? DEFAULT_PAUSE_GRACE_MS, 0),
    backoff: Object.freeze({
      initialMs,
      maxMs,
      factor: finite('backoff.factor', backoff.factor ?? DEFAULT_BACKOFF_FACTOR, 1, 100),
      jitter: finite('backoff.jitter', backoff.jitter ?? DEFAULT_BACKOFF_JITTER, 0, 1),
    }),
    heartbeatMs: options.heartbeatMs === undefined ? undefined : integer('heartbeatMs', options.heartbeatMs, 10),
    health,
    controlWatch: options.controlWatch ?? true,
    lagPollMs: integer('lagPollMs', options.lagPollMs ?? DEFAULT_LAG_POLL_MS, 0),
    idlePollMs: integer('idlePollMs', options.idlePollMs ?? DEFAULT_IDLE_POLL_MS, 10, 30_000),
  });
}

/** Delay before the next delivery of a message that failed on delivery `deliveryCount` (1-based). */
export function backoffDelayMs(backoff: CompiledStageOptions['backoff'], deliveryCount: number, random: () => number = Math.random): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** Math.max(0, deliveryCount - 1));
  const spread = base * backoff.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(backoff.maxMs, Math.round(base + spread)));
}
