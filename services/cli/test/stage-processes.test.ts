// Every stage's standalone entry point (services/<stage>/src/main.ts, started as `paperline up`
// starts it) against a real nats-server: it becomes ready, reports its backend, and on SIGTERM
// drains and exits 0. The stages start in parallel.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repeatedKeys } from '@paperline/telemetry';
import { pollUntil, startTestServer, type TestServer } from '@paperline/testing';
import { stageCommand } from '../src/local/stage-process.js';
import { MODULE_STAGES, type ModuleStage } from '../src/local/stage-modules.js';

const STARTUP_DEADLINE_MS = 120_000;

interface StageChild {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startStage(stage: ModuleStage, natsUrl: string, healthPort = 0): StageChild {
  const child = spawn(process.execPath, stageCommand(stage), {
    env: { ...process.env, NATS_URL: natsUrl, PL_HEALTH_PORT: String(healthPort), PL_HEALTH_HOST: '127.0.0.1', PL_LOG_LEVEL: 'info', PL_INSTANCE_ID: `proc-test-${stage}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function getStatus(port: number, path: string): Promise<number | undefined> {
  try {
    return (await fetch(`http://127.0.0.1:${port}${path}`)).status;
  } catch {
    return undefined;
  }
}

describe('stage processes (services/<stage>/src/main.ts)', () => {
  let server: TestServer;
  const children: StageChild[] = [];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
    await server?.stop();
  });

  it(`${MODULE_STAGES.join(', ')}: each becomes ready, reports its backend, and drains and exits 0 on SIGTERM`, async () => {
    const started = MODULE_STAGES.map((stage) => ({ stage, ...startStage(stage, server.url) }));
    children.push(...started);
    await Promise.all(
      started.map(async ({ stage, child, output, exited }) => {
        const waiting = { timeoutMs: STARTUP_DEADLINE_MS, intervalMs: 100, detail: () => `output:\n${output()}` };
        const port = await pollUntil(
          `${stage} announced its health port`,
          () => {
            const match = /"port":(\d+)[^\n]*health server listening/.exec(output());
            if (child.exitCode !== null) throw new Error(`${stage} exited with ${child.exitCode}:\n${output()}`);
            return match ? Number(match[1]) : undefined;
          },
          waiting,
        );
        await pollUntil(`${stage} answered /readyz with 200`, async () => (await getStatus(port, '/readyz')) === 200, waiting);
        const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as Record<string, { state: string; handler?: { backend?: string; models?: string[] } }>;
        expect(status[stage], output()).toMatchObject({ state: 'ready', handler: { backend: expect.any(String), models: expect.any(Array) } });

        child.kill('SIGTERM');
        expect(await exited, output()).toBe(0);
        expect(output()).toMatch(/signal: shutting down/);
        expect(output()).toMatch(/"code":0[^\n]*stage process stopped/);
        // every key once per JSON line (pino repeats a key bound by both a parent and a child)
        const lines = output().split('\n').filter((line) => line.startsWith('{'));
        expect(lines.length).toBeGreaterThan(3);
        expect(lines.map((line) => repeatedKeys(line)).filter((keys) => keys.length > 0), output()).toEqual([]);
      }),
    );
  }, STARTUP_DEADLINE_MS * 2);

  it('a stage that cannot start (its health port is taken) logs why and exits 1, with no stack trace on stderr', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const stage = startStage('assemble', server.url, (taken.address() as AddressInfo).port);
      children.push(stage);
      expect(await stage.exited, stage.output()).toBe(1);
      const lines = stage.output().split('\n').filter((line) => line.trim() !== '');
      expect(lines.filter((line) => !line.startsWith('{')), 'lines that are not JSON log lines').toEqual([]);
      expect(stage.output()).toMatch(/"level":"error"[^\n]*EADDRINUSE[^\n]*stage failed to start/);
    } finally {
      taken.close();
    }
  }, STARTUP_DEADLINE_MS);
});
