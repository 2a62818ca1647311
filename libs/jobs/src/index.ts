export { CasCache, casUpdate, type CasOptions } from './cas.js';
export { JobStore, type CancellationWatch, type DocumentFailure, type JobWatch, type NewJob } from './job-store.js';
export { cancelDocument, DEFAULT_CANCEL_SCAN_LIMIT, type CancelOptions, type CancelReport } from './cancel.js';
