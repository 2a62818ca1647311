// A local JetStream cluster of nats-server processes on 127.0.0.1 (tests of R3 streams, buckets
// and object stores, and of a node killed mid-run): each server has its own client port, route
// port and store, and routes to every other.
import { freePort, startLocalServer, type LocalServer } from './server.js';
import { locateNatsServer, type LocatedServer } from './locate.js';

export interface LocalClusterOptions {
  /** @default 3 */
  size?: number;
  /** @default 'paperline-test' */
  name?: string;
  server?: LocatedServer;
  /** @default 30_000 */
  startTimeoutMs?: number;
}

export interface LocalCluster {
  readonly servers: readonly LocalServer[];
  /** Every server's client URL: give them all to a client, so it can reconnect to any. */
  readonly urls: readonly string[];
  stop(): Promise<void>;
}

export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const size = options.size ?? 3;
  const name = options.name ?? 'paperline-test';
  const server = options.server ?? (await locateNatsServer());
  const routePorts: number[] = [];
  for (let i = 0; i < size; i++) routePorts.push(await freePort());
  const routes = routePorts.map((port) => `nats://127.0.0.1:${port}`).join(',');
  // all servers start at once: JetStream waits for a quorum before it is available
  const started = await Promise.allSettled(
    routePorts.map((port, i) =>
      startLocalServer({
        server,
        startTimeoutMs: options.startTimeoutMs ?? 30_000,
        args: ['--name', `${name}-${i}`, '--cluster_name', name, '--cluster', `nats://127.0.0.1:${port}`, '--routes', routes],
      }),
    ),
  );
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((s) => s.stop()));
    throw failed.reason;
  }
  return {
    servers,
    urls: servers.map((s) => s.url),
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
