export { casUpdate, type CasOptions } from './cas.js';
export { JobStore, type DocumentFailure, type NewJob, type Progress } from './job-store.js';
