import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

/** Settings every paperline process shares. Each stage adds its own section. */
export const baseSchema = {
  nats: {
    url: {
      doc: 'NATS server URL(s), comma-separated. Empty means the embedded local server (CLI only).',
      format: String,
      default: '',
      env: 'NATS_URL',
    },
    name: { doc: 'Connection name shown by the server.', format: String, default: 'paperline', env: 'PL_NATS_NAME' },
    asyncTraces: {
      doc: "Capture the caller's stack trace on every NATS request and publish (slower; for debugging timeouts).",
      format: Boolean,
      default: false,
      env: 'PL_NATS_ASYNC_TRACES',
    },
    replicas: {
      doc: 'Replicas for streams, buckets and object stores (1 on a single server, 3 on a cluster).',
      format: 'nat',
      default: 1,
      env: 'PL_NATS_REPLICAS',
    },
  },
  instance: {
    node: { doc: 'Node name used in device ids (cpu@<node>, cuda:0@<node>).', format: String, default: hostname(), env: 'PL_NODE' },
    id: {
      doc: 'Instance id, unique per process.',
      format: String,
      default: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
      env: 'PL_INSTANCE_ID',
    },
  },
  log: {
    level: {
      doc: 'pino log level.',
      format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
      env: 'PL_LOG_LEVEL',
    },
  },
  health: {
    port: { doc: 'Port of /healthz, /readyz, /metrics and /status; 0 picks a free port, -1 disables.', format: 'int', default: 0, env: 'PL_HEALTH_PORT' },
    host: { doc: 'Interface the health server binds.', format: String, default: '0.0.0.0', env: 'PL_HEALTH_HOST' },
  },
} as const;
