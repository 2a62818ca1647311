import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePort, startLocalServer, type LocalServer } from '@paperline/nats-server';

export interface TestServer {
  readonly url: string;
  /** The nats-server process id (absent for a container). */
  readonly pid: number | undefined;
  /** Registers a cleanup (closing a Bus, stopping a runtime) run by the next `reset()` or `stop()`. */
  defer(cleanup: () => Promise<unknown> | unknown): void;
  /** Runs the deferred cleanups, then deletes every stream (KV buckets and object stores too). */
  reset(): Promise<void>;
  /** Stops the server and starts it again at the same address with the same store: clients see a disconnect and a reconnect. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One real JetStream server for a test file: a local nats-server on a free port with a
 * temporary store, or, with PL_TEST_NATS=container, a testcontainers nats image.
 */
export async function startTestServer(): Promise<TestServer> {
  const mode = process.env['PL_TEST_NATS'] ?? 'local';
  const server = mode === 'container' ? await startContainerServer() : await startLocalServer();
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // a failed cleanup must not hide the test's own result
      }
    }
  };
  return {
    url: server.url,
    pid: 'pid' in server ? (server.pid as number) : undefined,
    defer(cleanup) {
      cleanups.push(cleanup);
    },
    restart: () => server.restart(),
    async reset() {
      await runCleanups();
      const nc = await connect({ servers: server.url, name: 'paperline-test-reset' });
      try {
        const jsm = await jetstreamManager(nc);
        for await (const name of jsm.streams.names()) await jsm.streams.delete(name);
      } finally {
        await nc.close();
      }
    },
    async stop() {
      await runCleanups();
      await server.stop();
    },
  };
}

async function startContainerServer(): Promise<Pick<LocalServer, 'url' | 'restart' | 'stop'>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const image = process.env['PL_TEST_NATS_IMAGE'] ?? 'nats:2.10-alpine';
  // a fixed host port: docker gives a restarted container a new random one, and clients could not reconnect
  const port = await freePort();
  const container = await new GenericContainer(image)
    .withCommand(['-js'])
    .withExposedPorts({ container: 4222, host: port })
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start();
  return {
    url: `nats://${container.getHost()}:${port}`,
    async restart() {
      await container.restart();
    },
    async stop() {
      await container.stop();
    },
  };
}
