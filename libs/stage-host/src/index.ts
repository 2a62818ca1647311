export type { StageDeps, StageDescription, StageHostConfig, StageInstance, StageModule, StageRuntimeDefaults } from './types.js';
export { failDocumentOnDeadLetter, hostedHandler } from './fail-on-dead-letter.js';
export { dropCancelledDocuments, type CancelAwareHandler, type DropCancelledOptions } from './drop-cancelled.js';
export { runStageModule } from './standalone.js';
export { startPresence, PRESENCE_INTERVAL_MS, type Presence, type PresenceOptions } from './presence.js';
export { startEmbeddedStage, type EmbeddedStage, type EmbeddedStageDeps } from './embedded.js';
export { regionResultOutput } from './region-result.js';
