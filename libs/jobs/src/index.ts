export { casUpdate, type CasOptions } from './cas.js';
export { JobStore, type DocumentFailure, type NewJob, type Progress } from './job-store.js';
export { failDocumentOnDeadLetter } from './fail-on-dead-letter.js';
export { runStandaloneStage, type StandaloneConfig, type StandaloneStage, type StandaloneStageDeps, type StandaloneStageOptions } from './standalone.js';
export { cancelDocument, dropCancelledDocuments, DEFAULT_CANCEL_SCAN_LIMIT, type CancelOptions, type CancelReport } from './cancel.js';
