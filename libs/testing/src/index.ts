export { startTestServer, type TestServer } from './nats.js';
export * from './onnx.js';
export * from './pdf.js';
export * from './image.js';
export { collectMessages } from './collect.js';
export { updateJobRecord, type JobsBucketSource } from './jobs.js';
export * from './pdf-pages.js';
export { pollUntil, type PollOptions } from './poll.js';
