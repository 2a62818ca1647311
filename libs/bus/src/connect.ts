import { createInbox } from '@nats-io/nats-core';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@paperline/telemetry';
import { natsConnectionAuth, redactSecrets, redactUrl, type NatsAuth } from './auth.js';
import { BusError, BusErrorCodes } from './errors.js';

export interface ConnectOptions {
  /** Comma-separated or array of server URLs. */
  servers: string | string[];
  name?: string;
  log?: Logger;
  /** Credentials and TLS (none: an open server, or credentials in the URL). */
  auth?: NatsAuth;
  /**
   * Prefix of this connection's reply subjects. With least-privilege users each gets its own
   * (`_INBOX_render`), so no user may subscribe to the replies another one is sent. @default _INBOX
   */
  inboxPrefix?: string;
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

/** Every secret a connect failure could echo: passwords and tokens given apart or in a URL. */
function secretsOf(servers: readonly string[], auth: NatsAuth | undefined): string[] {
  const secrets = [auth?.password, auth?.token].filter((s): s is string => !!s);
  for (const server of servers) {
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^@/]*)@/i.exec(server)?.[1];
    if (!userinfo) continue;
    const colon = userinfo.indexOf(':');
    const secret = colon >= 0 ? userinfo.slice(colon + 1) : userinfo;
    secrets.push(secret, decodeURIComponent(secret));
  }
  return secrets;
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
      ...(options.inboxPrefix ? { inboxPrefix: options.inboxPrefix } : {}),
      ...natsConnectionAuth(options.auth),
    });
  } catch (error) {
    if (error instanceof BusError) throw error;
    // neither the URL nor the library's message may carry a password or token onward
    const reason = redactSecrets((error as Error).message, secretsOf(servers, options.auth));
    // the cause is dropped: nats.js errors can hold the connection options
    throw new BusError(BusErrorCodes.CONNECT_FAILED, `cannot connect to NATS at ${servers.map(redactUrl).join(', ')}: ${reason}`);
  }
  options.log?.debug({ server: redactUrl(nc.getServer()) }, 'nats connected');
  return nc;
}

/** A new reply subject under the connection's inbox prefix (ConnectOptions.inboxPrefix). */
export function newInbox(nc: NatsConnection): string {
  return createInbox((nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
}
