// Runs the HTTP API standalone: `tsx services/gateway/src/main.ts` (config from env, see gatewaySchema).
import { PaperlineClient } from '@paperline/client';
import { loadConfig } from '@paperline/config';
import { JetStreamExporter } from '@paperline/jetstream-metrics';
import { createLogger, getMetrics } from '@paperline/telemetry';
import { gatewaySchema } from './config.js';
import { createGateway } from './gateway.js';

const config = loadConfig(gatewaySchema);
const log = createLogger({ level: config.log.level, base: { service: 'gateway', instance: config.instance.id } });
if (!config.nats.url) {
  log.fatal('NATS_URL is required: the gateway talks to a running paperline cluster');
  process.exit(2);
}
const client = await PaperlineClient.connect({
  servers: config.nats.url,
  name: `${config.nats.name}-gateway`,
  log,
  maxFileBytes: config.limits.maxFileBytes,
  maxResultBytes: config.limits.maxResultBytes,
});
const app = createGateway({ client, config, log });
const jetstream = new JetStreamExporter({ jsm: client.bus.jsm, metrics: getMetrics(), intervalMs: config.jetstreamMetrics.intervalMs, log });
if (config.jetstreamMetrics.intervalMs > 0) jetstream.start();

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  jetstream.stop();
  try {
    await app.close();
  } catch (error) {
    log.error({ err: error }, 'closing the HTTP server failed');
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
