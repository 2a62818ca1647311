// Issue 4, "unloading returns memory": a 300 MB model raises RSS by >= 250 MB, and unloading it
// brings RSS back to within 60 MB of before, cycle after cycle. Measured in a child process, so
// the test runner's own heap (and the 300 MB it used to write the model) does not blur the figures.
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { largeModel, startTestServer, writeOnnxModel, type TestServer } from '@paperline/testing';
import { openTestBus, provisionMemory } from '../../memory/test/helpers.js';
import { modelsDir } from '../test/fixtures.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('../test/unload-child.ts', import.meta.url));
const MB = 1_000_000;
const CYCLES = 5;

describe('unloading returns memory', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  it('a 300 MB model adds >= 250 MB of RSS and unloading gives it back (within 60 MB), five times over', async () => {
    await provisionMemory(await openTestBus(server));
    const dir = modelsDir();
    server.defer(() => rmSync(dir, { recursive: true, force: true }));
    writeOnnxModel(join(dir, 'big.onnx'), largeModel({ bytes: 300 * MB }));
    const manifestPath = join(dir, 'manifest.json');
    const spec = { id: 'big', stage: 'ocr', task: 'test', files: [{ path: 'big.onnx' }], license: 'Apache-2.0', source: 'generated', memoryEstimateBytes: 320 * MB, devices: ['cpu'] };
    writeFileSync(manifestPath, JSON.stringify({ models: [spec] }));
    // MALLOC_ARENA_MAX=2 as in production (docs/memory.md): without it, memory freed by
    // onnxruntime's threads stays in their own glibc arenas, more of it the busier the machine
    const { stdout } = await run(process.execPath, ['--expose-gc', '--conditions=@paperline/source', '--import', 'tsx', child, server.url, manifestPath, String(CYCLES)], {
      timeout: 170_000,
      env: { ...process.env, MALLOC_ARENA_MAX: '2', PL_UNLOAD_TOLERANCE_BYTES: String(60 * MB) },
    });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { cycles: Array<{ loaded: number; unloaded: number }>; footprint: { bytes: number; samples: number } };
    console.info(`[unload-memory] ${result.cycles.map((c, i) => `cycle ${i + 1}: +${(c.loaded / MB).toFixed(0)} MB loaded, ${(c.unloaded / MB).toFixed(0)} MB after unload`).join('; ')}; learned footprint ${(result.footprint.bytes / MB).toFixed(0)} MB over ${result.footprint.samples} loads`);
    for (const cycle of result.cycles) {
      expect(cycle.loaded).toBeGreaterThanOrEqual(250 * MB);
      expect(cycle.unloaded).toBeLessThanOrEqual(60 * MB);
    }
    expect(result.footprint.samples).toBe(CYCLES);
    expect(result.footprint.bytes).toBeGreaterThanOrEqual(250 * MB);
  }, 240_000);
});
