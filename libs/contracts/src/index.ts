export * from './names.js';
export * from './messages.js';
export * from './errors.js';
export * from './codec.js';
export * from './media.js';
export * from './limits.js';
