export * from './types.js';
export { StageError, StageErrorCodes, type StageErrorCode } from './errors.js';
export {
  compileStageOptions,
  backoffDelayMs,
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_BATCH_WAIT_MS,
  DEFAULT_MAX_INFLIGHT_BATCHES,
  DEFAULT_GRACE_MS,
  DEFAULT_PAUSE_GRACE_MS,
  DEFAULT_BACKOFF_INITIAL_MS,
  DEFAULT_BACKOFF_MAX_MS,
  DEFAULT_BACKOFF_FACTOR,
  DEFAULT_BACKOFF_JITTER,
  DEFAULT_HEALTH_HOST,
  DEFAULT_LAG_POLL_MS,
  DEFAULT_IDLE_POLL_MS,
  type StageOptions,
  type CompiledStageOptions,
  type BackoffOptions,
  type HealthOptions,
} from './options.js';
export { StageRuntime, type StageRuntimeDeps } from './runtime.js';
export { handleEachMessage } from './each-message.js';
export { ControlPlane, parseControlEntry, type ControlChange, type ControlWatch, type StageFlags } from './control-plane.js';
export { HealthServer, type HealthServerOptions, type HealthTarget } from './health-server.js';
export { deadLetterMsgId } from './dead-letters.js';
export { runStageProcess, EXIT_RECYCLE, FORCED_EXIT_SLACK_MS, type StageProcess, type StageProcessOptions } from './process.js';
export type { StateListener } from './lifecycle.js';
