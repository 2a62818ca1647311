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
    provision: {
      doc: 'Create or reconcile the streams, buckets and consumers at start. Turn off where the process runs with least-privilege credentials (an admin runs `paperline provision`).',
      format: Boolean,
      default: true,
      env: 'PL_NATS_PROVISION',
    },
    inboxPrefix: {
      doc: "Prefix of this process's reply subjects; give each least-privilege user its own (`_INBOX_render`) so none can read another's replies.",
      format: String,
      default: '_INBOX',
      env: 'PL_NATS_INBOX_PREFIX',
    },
    // one way of authenticating at most; none for an open server (the embedded one)
    user: { doc: 'NATS user name (with password).', format: String, default: '', env: 'NATS_USER' },
    password: { doc: 'NATS password (with user).', format: String, default: '', env: 'NATS_PASSWORD', sensitive: true },
    token: { doc: 'NATS authentication token.', format: String, default: '', env: 'NATS_TOKEN', sensitive: true },
    nkeySeedFile: { doc: 'File holding the nkey seed to authenticate with.', format: String, default: '', env: 'NATS_NKEY_SEED_FILE' },
    credsFile: { doc: 'NATS .creds file (user JWT and seed) to authenticate with.', format: String, default: '', env: 'NATS_CREDS_FILE' },
    tls: {
      caFile: { doc: 'CA certificate(s) that sign the NATS server certificate.', format: String, default: '', env: 'NATS_TLS_CA_FILE' },
      certFile: { doc: 'Client certificate, for a server that verifies clients.', format: String, default: '', env: 'NATS_TLS_CERT_FILE' },
      keyFile: { doc: "The client certificate's private key.", format: String, default: '', env: 'NATS_TLS_KEY_FILE' },
      required: { doc: 'Require TLS even without any of the files above.', format: Boolean, default: false, env: 'NATS_TLS_REQUIRED' },
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
  cancel: {
    recheckMs: {
      doc: "How long a stage takes a document it read as live for live before reading its record again. Cancels arrive as events; this bounds the work a stage does for a cancel whose event it missed (a reconnect), at one KV read per document per window.",
      format: 'nat',
      default: 1000,
      env: 'PL_CANCEL_RECHECK_MS',
    },
  },
  health: {
    port: { doc: 'Port of /healthz, /readyz, /metrics and /status; 0 picks a free port, -1 disables.', format: 'int', default: 0, env: 'PL_HEALTH_PORT' },
    host: { doc: 'Interface the health server binds.', format: String, default: '0.0.0.0', env: 'PL_HEALTH_HOST' },
  },
} as const;
