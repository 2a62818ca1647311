import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { NatsServerError, NatsServerErrorCodes } from './errors.js';
import { locateNatsServer, type LocatedServer } from './locate.js';

export interface LocalServerOptions {
  /** @default a free port on 127.0.0.1 */
  port?: number;
  /** JetStream store directory. @default a new temporary directory, removed on stop */
  storeDir?: string;
  /** Extra nats-server arguments. */
  args?: string[];
  /** A nats-server configuration file of the caller's (authorization, TLS), included in the local one. */
  configFile?: string;
  /**
   * Go's GOMAXPROCS for the server: how many threads run its Go code at once. A GOMAXPROCS in the
   * environment wins over it. @default Go's own (one per core)
   */
  maxProcs?: number;
  /** @default 15_000 */
  startTimeoutMs?: number;
  /** Receives the server's log lines as they come (e.g. to look for permission violations). @default dropped */
  onLog?: (text: string) => void;
  server?: LocatedServer;
}

export interface LocalServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly version: string;
  readonly pid: number;
  /** Stops the server and starts it again on the same port and store (clients see a disconnect and a reconnect). */
  restart(): Promise<void>;
  /** Sends the signal and waits for the exit (SIGKILL: a crash, nothing flushed); start() brings it back. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts a killed server again on the same port and store; no-op while it runs. */
  start(): Promise<void>;
  readonly running: boolean;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Server is ready')) {
        cleanup();
        resolveReady();
      }
    };
    const onExit = (code: number | null) => fail(new Error(`exited with code ${code}`));
    function cleanup() {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.stderr?.resume();
      child.stdout?.resume();
    }
    function fail(error: Error) {
      cleanup();
      reject(new NatsServerError(NatsServerErrorCodes.START_FAILED, `nats-server ${error.message}:\n${output.slice(-2000)}`, { cause: error }));
    }
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Servers this process started and has not yet stopped. Each runs in its own process group, so a
 * terminal's Ctrl-C (sent to the whole foreground group) reaches only the owner, which drains its
 * clients before it stops the server; the owner's exit, however it ends, still takes them down.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function terminate(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise<void>((resolveStop) => {
    if (exited(child)) return resolveStop();
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolveStop();
    });
    child.kill(signal);
  });
}

/**
 * Without a limit of its own, nats-server gives JetStream 75 % of the disk space free when it
 * starts, and provisioning reserves every stream's byte limit against it (about 47 GiB,
 * DEFAULT_MAX_BYTES): on a disk with less than about 63 GiB free every stream was refused
 * ("insufficient storage resources available"). The streams' own limits bound what is stored.
 */
const LOCAL_SERVER_CONF = 'jetstream {\n  max_file_store: 1T\n}\n';

/** Starts a JetStream-enabled nats-server on 127.0.0.1 (tests and the embedded default). */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const server = options.server ?? (await locateNatsServer());
  const ownsStore = !options.storeDir;
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'pl-nats-'));
  const port = options.port ?? (await freePort());
  mkdirSync(storeDir, { recursive: true });
  const config = join(storeDir, 'paperline-local.conf');
  // nats-server resolves an include against the including file's folder, even an absolute path
  writeFileSync(config, (options.configFile ? `include "${relative(storeDir, options.configFile)}"\n` : '') + LOCAL_SERVER_CONF);
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(server.path, ['-c', config, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, ...(options.args ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      ...(options.maxProcs !== undefined && process.env['GOMAXPROCS'] === undefined ? { env: { ...process.env, GOMAXPROCS: String(options.maxProcs) } } : {}),
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    if (options.onLog) {
      const onLog = options.onLog;
      for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => onLog(chunk.toString()));
    }
    try {
      await waitForReady(child, options.startTimeoutMs ?? 15_000);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    return child;
  };
  let child: ChildProcess;
  try {
    child = await launch();
  } catch (error) {
    if (ownsStore) rmSync(storeDir, { recursive: true, force: true });
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    version: server.version,
    get pid() {
      return child.pid ?? -1;
    },
    get running() {
      return !exited(child);
    },
    async restart() {
      if (stopping) throw new NatsServerError(NatsServerErrorCodes.START_FAILED, 'restart() after stop()');
      await terminate(child);
      child = await launch();
    },
    kill: (signal = 'SIGKILL') => terminate(child, signal),
    async start() {
      if (stopping) throw new NatsServerError(NatsServerErrorCodes.START_FAILED, 'start() after stop()');
      if (!exited(child)) return;
      child = await launch();
    },
    stop() {
      stopping ??= terminate(child).finally(() => {
        if (ownsStore) rmSync(storeDir, { recursive: true, force: true });
      });
      return stopping;
    },
  };
}
