import { baseSchema } from '@paperline/config';
import { clientSchema } from '@paperline/client';
import type { AuthSettings } from './auth.js';
import { DEFAULT_JETSTREAM_POLL_MS } from '@paperline/jetstream-metrics';

/** @default port of the HTTP API */
export const DEFAULT_HTTP_PORT = 8080;
/** @default a request (an upload included) must arrive whole within 5 minutes */
export const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;
/** @default uploads in progress at once, all keys together */
export const DEFAULT_MAX_CONCURRENT_UPLOADS = 16;
/** @default uploads in progress at once per API key */
export const DEFAULT_MAX_CONCURRENT_UPLOADS_PER_KEY = 4;

/** The gateway's settings: NATS (baseSchema), upload limits (clientSchema), the HTTP listener and its keys. */
export const gatewaySchema = {
  ...baseSchema,
  ...clientSchema,
  http: {
    port: { doc: 'Port of the HTTP API.', format: 'port', default: DEFAULT_HTTP_PORT, env: 'PL_HTTP_PORT' },
    host: {
      doc: 'Interface the HTTP API binds. Beyond loopback an API key is required unless PL_HTTP_ALLOW_UNAUTHENTICATED is set.',
      format: String,
      default: '0.0.0.0',
      env: 'PL_HTTP_HOST',
    },
    opsPort: {
      doc: 'Port of /healthz, /readyz and /metrics when they sit apart from the API (no key asked there: keep it on an internal network); -1 serves them on the API port (/metrics then asks for a key).',
      format: 'int',
      default: -1,
      env: 'PL_HTTP_OPS_PORT',
    },
    opsHost: { doc: 'Interface the ops port binds.', format: String, default: '0.0.0.0', env: 'PL_HTTP_OPS_HOST' },
    requestTimeoutMs: {
      doc: 'A request must arrive whole within this time (408 otherwise); 0 disables.',
      format: 'nat',
      default: DEFAULT_REQUEST_TIMEOUT_MS,
      env: 'PL_HTTP_REQUEST_TIMEOUT_MS',
    },
    maxConcurrentUploads: {
      doc: 'Uploads in progress at once, all keys together; one more gets 429.',
      format: 'nat',
      default: DEFAULT_MAX_CONCURRENT_UPLOADS,
      env: 'PL_HTTP_MAX_CONCURRENT_UPLOADS',
    },
    maxConcurrentUploadsPerKey: {
      doc: 'Uploads in progress at once per API key (or per client address on an open gateway); one more gets 429.',
      format: 'nat',
      default: DEFAULT_MAX_CONCURRENT_UPLOADS_PER_KEY,
      env: 'PL_HTTP_MAX_CONCURRENT_UPLOADS_PER_KEY',
    },
  },
  auth: {
    apiKeys: {
      doc: 'API keys, comma-separated, each `name:key` or `key` (at least 16 characters; the name is the owner stored with a document).',
      format: String,
      default: '',
      env: 'PL_API_KEYS',
      sensitive: true,
    },
    apiKeysFile: { doc: 'A file of API keys, one `name:key` or `key` per line (a mounted Secret).', format: String, default: '', env: 'PL_API_KEYS_FILE' },
    allowUnauthenticated: {
      doc: 'Serve without API keys on a non-loopback address (on loopback no key is needed by default).',
      format: Boolean,
      default: false,
      env: 'PL_HTTP_ALLOW_UNAUTHENTICATED',
    },
  },
  jetstreamMetrics: {
    intervalMs: {
      doc: "How often the gateway reads the JetStream state (lag, pulls waiting, storage, dead letters) into its /metrics, so it stays visible while a stage has no process; 0 disables.",
      format: 'nat',
      default: DEFAULT_JETSTREAM_POLL_MS,
      env: 'PL_JETSTREAM_METRICS_INTERVAL_MS',
    },
  },
} as const;

/** What createGateway reads of the configuration (a loaded gatewaySchema satisfies it). */
export interface GatewayConfig {
  limits: { maxFileBytes: number };
  http?: Partial<{ requestTimeoutMs: number; maxConcurrentUploads: number; maxConcurrentUploadsPerKey: number }>;
}

export type { AuthSettings };
