export { ConfigError } from './errors.js';
export { baseSchema } from './base-schema.js';
export { loadConfig, describeSchema, type Schema, type LoadOptions } from './load.js';
