// A deployment on one machine, as processes: a nats-server, `paperline up` (one process per stage,
// the built stages when `npm run build` made them, else the sources through tsx) and the HTTP
// gateway with one API key per client. What the load benchmark and its scaled-down test drive.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, startLocalServer, type LocalServer } from '@paperline/nats-server';
import { pollUntil } from '@paperline/testing';
import { MODULE_STAGES, serviceCommand, stageCommand, type ModuleStage } from '../../services/cli/src/local/index.js';

const BIN = join(import.meta.dirname, '..', '..', 'services', 'cli', 'bin', 'paperline.js');
const START_TIMEOUT_MS = 180_000;
/** Log lines kept for a failure's message. */
const LOG_TAIL = 40;

export interface ProcessPipelineOptions {
  /** API keys to create, one per client. */
  keys: number;
  /** @default every stage */
  stages?: readonly ModuleStage[];
}

export interface ApiKeyPair {
  id: string;
  token: string;
}

export interface ProcessPipeline {
  readonly natsUrl: string;
  readonly gatewayUrl: string;
  readonly keys: readonly ApiKeyPair[];
  /** How each process runs: `built` (dist/main.js) or `tsx` (the sources). */
  readonly commands: Readonly<Record<string, 'built' | 'tsx'>>;
  /** The pid of each process now, by name: every stage, `gateway`, `nats-server`. A restarted stage has its new pid. */
  pids(): Map<string, number>;
  /** The supervisor's `stage exited` log lines so far (a stage that crashed or was recycled). */
  stageExits(): string[];
  /** The last lines of the supervisor's and stages' log. */
  logTail(): string;
  close(): Promise<void>;
}

interface LogLine {
  msg?: string;
  stage?: string;
  pid?: number;
  level?: number;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

async function stop(child: ChildProcess | undefined, graceMs = 40_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
  child.kill('SIGTERM');
  await exited(child);
  clearTimeout(kill);
}

export async function startProcessPipeline(options: ProcessPipelineOptions): Promise<ProcessPipeline> {
  const stages = options.stages ?? MODULE_STAGES;
  const keys = Array.from({ length: options.keys }, (_, i) => ({ id: `client-${i + 1}`, token: randomBytes(24).toString('hex') }));
  let server: LocalServer | undefined;
  let up: ChildProcess | undefined;
  let gateway: ChildProcess | undefined;
  const stagePids = new Map<string, number>();
  const exits: string[] = [];
  const tail: string[] = [];
  const close = async () => {
    await Promise.all([stop(gateway), stop(up)]);
    await server?.stop();
  };
  try {
    server = await startLocalServer();
    const natsUrl = server.url;
    // each stage binds a free port of its own: the ports after a free one need not be free (another test's server took one)
    up = spawn(process.execPath, [BIN, 'up', '--stages', stages.join(','), '--health-port', '0'], {
      env: { ...process.env, NATS_URL: natsUrl, PL_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let partial = '';
    up.stderr!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const text of lines) {
        tail.push(text);
        if (tail.length > LOG_TAIL) tail.shift();
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          continue;
        }
        if (line.msg === 'stage started' && line.stage && line.pid) stagePids.set(line.stage, line.pid);
        if (line.msg === 'stage exited; restarting') exits.push(text);
      }
    });
    const port = await freePort();
    gateway = spawn(process.execPath, serviceCommand('gateway'), {
      env: {
        ...process.env,
        NATS_URL: natsUrl,
        PL_HTTP_HOST: '127.0.0.1',
        PL_HTTP_PORT: String(port),
        PL_API_KEYS: keys.map((k) => `${k.id}:${k.token}`).join(','),
        PL_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const gatewayUrl = `http://127.0.0.1:${port}`;
    const upChild = up;
    const detail = () => tail.join('\n');
    await pollUntil('every stage process started', () => {
      if (upChild.exitCode !== null) throw new Error(`paperline up exited with ${upChild.exitCode}\n${detail()}`);
      return stages.every((s) => stagePids.has(s));
    }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 100, detail });
    await pollUntil('the gateway ready', async () => (await fetch(`${gatewayUrl}/readyz`).catch(() => undefined))?.ok === true, { timeoutMs: START_TIMEOUT_MS, intervalMs: 200 });
    const runs = (args: string[]) => (args[0]?.endsWith('dist/main.js') ? 'built' : 'tsx') as 'built' | 'tsx';
    const commands: Record<string, 'built' | 'tsx'> = { gateway: runs(serviceCommand('gateway')) };
    for (const stage of stages) commands[stage] = runs(stageCommand(stage));
    const natsPid = server.pid;
    const gatewayPid = gateway.pid!;
    let closing: Promise<void> | undefined;
    return {
      natsUrl,
      gatewayUrl,
      keys,
      commands,
      pids: () => new Map([...stagePids, ['gateway', gatewayPid], ['nats-server', natsPid]]),
      stageExits: () => [...exits],
      logTail: detail,
      close: () => (closing ??= close()),
    };
  } catch (error) {
    await close();
    throw error;
  }
}
