export { casUpdate, type CasOptions } from './cas.js';
export { JobStore, type DocumentFailure, type JobWatch, type NewJob } from './job-store.js';
