import { baseSchema } from '@paperline/config';
import { clientSchema } from '@paperline/client';
import { DEFAULT_JETSTREAM_POLL_MS } from '@paperline/jetstream-metrics';

/** @default port of the HTTP API */
export const DEFAULT_HTTP_PORT = 8080;

/** The gateway's settings: NATS (baseSchema), upload limits (clientSchema) and the HTTP listener. */
export const gatewaySchema = {
  ...baseSchema,
  ...clientSchema,
  http: {
    port: { doc: 'Port of the HTTP API.', format: 'port', default: DEFAULT_HTTP_PORT, env: 'PL_HTTP_PORT' },
    host: { doc: 'Interface the HTTP API binds.', format: String, default: '0.0.0.0', env: 'PL_HTTP_HOST' },
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
}
