// Runs the HTTP API standalone: `tsx services/gateway/src/main.ts` (config from env, see gatewaySchema).
import { natsAuthFromSettings } from '@paperline/bus';
import { PaperlineClient } from '@paperline/client';
import { loadConfig } from '@paperline/config';
import { JetStreamExporter } from '@paperline/jetstream-metrics';
import { createLogger, getMetrics } from '@paperline/telemetry';
import type { FastifyInstance } from 'fastify';
import { resolveAuth } from './auth.js';
import { gatewaySchema } from './config.js';
import { createGateway, createOpsServer } from './gateway.js';

const config = loadConfig(gatewaySchema);
const log = createLogger({ level: config.log.level, base: { service: 'gateway', instance: config.instance.id } });
if (!config.nats.url) {
  log.fatal('NATS_URL is required: the gateway talks to a running paperline cluster');
  process.exit(2);
}
let auth: ReturnType<typeof resolveAuth>;
try {
  // decided before anything connects or listens: a gateway never starts open by mistake
  auth = resolveAuth(config.auth, config.http.host);
} catch (error) {
  log.fatal((error as Error).message);
  process.exit(2);
}
if (auth === false) log.warn({ host: config.http.host }, 'the HTTP API runs without API keys');
const client = await PaperlineClient.connect({
  servers: config.nats.url,
  name: `${config.nats.name}-gateway`,
  auth: natsAuthFromSettings(config.nats),
  inboxPrefix: config.nats.inboxPrefix,
  log,
  maxFileBytes: config.limits.maxFileBytes,
  maxResultBytes: config.limits.maxResultBytes,
});
const separateOps = config.http.opsPort >= 0;
const app = createGateway({ client, config, auth, log, serveOps: !separateOps });
const ops: FastifyInstance | undefined = separateOps ? createOpsServer({ client, log }) : undefined;
const jetstream = new JetStreamExporter({ jsm: client.bus.jsm, metrics: getMetrics(), intervalMs: config.jetstreamMetrics.intervalMs, log });
if (config.jetstreamMetrics.intervalMs > 0) jetstream.start();

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  jetstream.stop();
  for (const server of [app, ops]) {
    try {
      await server?.close();
    } catch (error) {
      log.error({ err: error }, 'closing the HTTP server failed');
    }
  }
  try {
    await client.close();
  } catch (error) {
    log.error({ err: error }, 'closing the NATS connection failed');
  }
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

await app.listen({ port: config.http.port, host: config.http.host });
await ops?.listen({ port: config.http.opsPort, host: config.http.opsHost });
