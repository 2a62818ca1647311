// Issue 4, "emergency": a limit far below the process's RSS forces emergency pressure; the guard
// suspends, unloads the idle model, writes a heap snapshot and a memory report, and since usage
// stays high after the cooldown, the process exits 75 for its supervisor to replace it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KV } from '@nats-io/kv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeOnnxModel, scaleModel, startTestServer, type TestServer } from '@paperline/testing';
import { Buckets, Subjects } from '@paperline/contracts';
import { buildTopology, provisionTopology } from '@paperline/bus';
import { openTestBus, provisionMemory, readLedger } from '../../memory/test/helpers.js';
import { modelsDir } from '../test/fixtures.js';

const child = fileURLToPath(new URL('../test/guard-child.ts', import.meta.url));
const stageChild = fileURLToPath(new URL('../test/guard-stage-child.ts', import.meta.url));

function writeSmallManifest(): string {
  const dir = modelsDir();
  writeFileSync(join(dir, 'small.onnx'), encodeOnnxModel(scaleModel()));
  const manifestPath = join(dir, 'manifest.json');
  writeFileSync(manifestPath, JSON.stringify({ models: [{ id: 'small', stage: 'ocr', task: 'test', files: [{ path: 'small.onnx' }], license: 'Apache-2.0', source: 'generated', memoryEstimateBytes: 10_000_000, devices: ['cpu'] }] }));
  return manifestPath;
}

function runChild(file: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const proc = spawn(process.execPath, ['--conditions=@paperline/source', '--import', 'tsx', file, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, out })));
}

describe('memory emergency', () => {
  let server: TestServer;
  let kv: KV;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  it('unloads idle models, writes the dumps, and exits 75', async () => {
    const bus = await openTestBus(server);
    kv = await provisionMemory(bus);
    const subjects: string[] = [];
    const sub = bus.nc.subscribe('pl.events.>');
    void (async () => {
      for await (const msg of sub) subjects.push(`${msg.subject} ${(JSON.parse(msg.string()) as { action?: string; reason?: string }).action ?? (JSON.parse(msg.string()) as { reason?: string }).reason ?? ''}`);
    })();
    const dumpDir = mkdtempSync(join(tmpdir(), 'pl-dumps-'));
    const { code, out } = await runChild(child, [server.url, writeSmallManifest(), dumpDir]);

    expect(code).toBe(75);
    expect(out).toMatch(/READY true/);
    expect(out).toMatch(/SUSPENDED memory emergency/);
    expect(out).toMatch(/RECYCLE/);
    const dumps = readdirSync(dumpDir);
    expect(dumps.some((f) => f.endsWith('.heapsnapshot'))).toBe(true);
    expect(dumps.some((f) => f.endsWith('.memory.json'))).toBe(true);
    expect(subjects).toContain('pl.events.model.unload memory emergency');
    expect(subjects).toContain('pl.events.memory.emergency suspend and unload all');
    expect(subjects).toContain('pl.events.memory.emergency recycle');
    expect((await readLedger(kv, 'cpu@test')).leases).toEqual({});
  }, 60_000);

  it('through the stage runtime: suspends, recycles with exit 75, and the in-flight message is redelivered', async () => {
    const bus = await openTestBus(server);
    await provisionTopology(bus.nc, buildTopology());
    const kvMemory = await bus.kv(Buckets.memory);
    await bus.publish(Subjects.work('ocr', 'normal'), new TextEncoder().encode(JSON.stringify({ id: 'doc-1' })), { msgId: 'in:doc-1' });
    const dumpDir = mkdtempSync(join(tmpdir(), 'pl-dumps-'));

    const first = await runChild(stageChild, [server.url, writeSmallManifest(), dumpDir]);
    expect(first.out).toMatch(/IN_FLIGHT doc-1#1/);
    expect(first.out).toMatch(/RECYCLE memory emergency/);
    expect(first.code).toBe(75);
    expect(readdirSync(dumpDir).some((f) => f.endsWith('.memory.json'))).toBe(true);
    expect((await readLedger(kvMemory, 'cpu@test')).leases).toEqual({});

    // the supervisor's fresh process gets the same message again
    const second = runChild(stageChild, [server.url, writeSmallManifest(), mkdtempSync(join(tmpdir(), 'pl-dumps-'))]);
    const { out } = await second;
    expect(out).toMatch(/IN_FLIGHT doc-1#[2-9]/);
  }, 90_000);
});
