import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '@paperline/telemetry';
import { Registry } from 'prom-client';
import { MemoryGuard, type GuardActions, type MemoryProbe } from './index.js';

const LIMIT = 1_000;

function fixture(readings: number[]) {
  const calls: string[] = [];
  let i = 0;
  const probe: MemoryProbe = {
    name: 'scripted',
    async sample() {
      const used = readings[Math.min(i, readings.length - 1)] ?? 0;
      i += 1;
      return [{ device: 'cpu@t', usedBytes: used, totalBytes: 10_000, processBytes: used }];
    },
  };
  const actions: GuardActions = {
    suspend: (reason) => void calls.push(`suspend:${reason.split(':')[0]}`),
    resume: () => void calls.push('resume'),
    unloadIdle: async () => {
      calls.push('unloadIdle');
      return 2;
    },
    unloadAll: async () => void calls.push('unloadAll'),
    recycle: () => void calls.push('recycle'),
  };
  const metrics = createMetrics(new Registry());
  const dumpDir = mkdtempSync(join(tmpdir(), 'guard-'));
  const guard = new MemoryGuard({ actions, probe, device: 'cpu@t', limitBytes: LIMIT, cooldownMs: 20, intervalMs: 10, dumpDir, heapSnapshot: false, stage: 'ocr', instance: 'i1', metrics });
  return { guard, calls, metrics, dumpDir };
}

const pressure = async (m: ReturnType<typeof createMetrics>) => (await m.memoryPressure.get()).values[0]?.value;

describe('MemoryGuard', () => {
  it('warns at 80 %, unloads idle models at 90 %, and sets pl_memory_pressure', async () => {
    const { guard, calls, metrics } = fixture([500, 850, 920]);
    expect((await guard.check()).action).toBe('none');
    expect(await pressure(metrics)).toBe(0);
    expect((await guard.check()).action).toBe('warned');
    expect(await pressure(metrics)).toBe(1);
    expect((await guard.check()).action).toBe('unload_idle');
    expect(await pressure(metrics)).toBe(2);
    expect(calls).toEqual(['unloadIdle']);
  });

  it('keeps a cooldown after a recovery action', async () => {
    const { guard, calls } = fixture([920, 930]);
    await guard.check();
    expect((await guard.check()).action).toBe('cooldown');
    expect(calls).toEqual(['unloadIdle']);
  });

  it('emergency: suspends, unloads all, writes a memory report, and resumes when that helped', async () => {
    const { guard, calls, dumpDir } = fixture([960, 400]);
    const result = await guard.check();
    expect(result.action).toBe('resumed');
    expect(calls).toEqual(['suspend:memory emergency', 'unloadAll', 'resume']);
    const report = result.dumps?.find((d) => d.endsWith('.memory.json'));
    expect(report && existsSync(report) && report.startsWith(dumpDir)).toBe(true);
    expect(JSON.parse(readFileSync(report!, 'utf8'))).toMatchObject({ usedBytes: 960, limitBytes: LIMIT, stage: 'ocr' });
  });

  it('emergency: recycles the process when usage stays high after the cooldown', async () => {
    const { guard, calls } = fixture([990, 950]);
    expect((await guard.check()).action).toBe('recycle');
    expect(calls).toEqual(['suspend:memory emergency', 'unloadAll', 'recycle']);
  });

  it('runs as a monitor loop until stopped', async () => {
    const { guard, calls } = fixture([920]);
    guard.start();
    await new Promise((r) => setTimeout(r, 100));
    guard.stop();
    expect(calls.filter((c) => c === 'unloadIdle').length).toBeGreaterThanOrEqual(1);
  });
});
