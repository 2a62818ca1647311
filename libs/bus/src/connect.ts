import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@paperline/telemetry';
import { BusError, BusErrorCodes } from './errors.js';

export interface ConnectOptions {
  /** Comma-separated or array of server URLs. */
  servers: string | string[];
  name?: string;
  log?: Logger;
  /** Keep retrying the first connect too (services started before the server). @default true */
  waitOnFirstConnect?: boolean;
  /** @default 2000 */
  reconnectTimeWaitMs?: number;
  /**
   * Capture the caller's stack on every request, publish acknowledgement and KV call (nats.js's
   * default), so that a timeout shows where it was asked. That is an Error with a stack trace per
   * message: the stage runtime's largest cost after the socket. For debugging. @default false
   */
  asyncTraces?: boolean;
}

/** Connects with unlimited reconnects and jittered backoff (a `Bus` over the connection logs its status changes). */
export async function connectBus(options: ConnectOptions): Promise<NatsConnection> {
  const servers = Array.isArray(options.servers) ? options.servers : options.servers.split(',').map((s) => s.trim()).filter(Boolean);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      name: options.name ?? 'paperline',
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectTimeWaitMs ?? 2_000,
      reconnectJitter: 500,
      waitOnFirstConnect: options.waitOnFirstConnect ?? true,
      timeout: 10_000,
      noAsyncTraces: !(options.asyncTraces ?? false),
    });
  } catch (error) {
    throw new BusError(BusErrorCodes.CONNECT_FAILED, `cannot connect to NATS at ${servers.join(', ')}: ${(error as Error).message}`, { cause: error });
  }
  options.log?.debug({ server: nc.getServer() }, 'nats connected');
  return nc;
}
