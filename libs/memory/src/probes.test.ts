import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMetrics } from '@paperline/telemetry';
import { writeFakeNvidiaSmi } from '../test/fake-nvidia-smi.js';
import { GpuProbe, HostProbe, ProcessProbe, parseComputeApps, parseDevice, parseGpuQuery, parseMemoryValue, type MemoryProbe } from './index.js';

const GIB = 1024 ** 3;
const fake = writeFakeNvidiaSmi({
  gpus: '0, 1024, 81920\n\n1, N/A, 40960\n2, [Insufficient Permissions], 1\n',
  apps: `${process.pid}, 512\n4242, 256 MiB\nN/A, N/A\n`,
});

/** Every probe passes the same suite. */
const probes: Array<[string, () => MemoryProbe, { devices: number }]> = [
  ['process', () => new ProcessProbe('n1'), { devices: 1 }],
  ['host', () => new HostProbe('n1'), { devices: 1 }],
  ['gpu (fake nvidia-smi)', () => new GpuProbe('n1', { binary: fake.binary }), { devices: 1 }],
  ['gpu (no nvidia-smi)', () => new GpuProbe('n1', { binary: '/nonexistent/nvidia-smi' }), { devices: 0 }],
];

describe.each(probes)('MemoryProbe conformance: %s', (_name, make, expected) => {
  it('returns well-formed samples with valid device ids, never throwing', async () => {
    const samples = await make().sample();
    expect(samples).toHaveLength(expected.devices);
    for (const s of samples) {
      expect(parseDevice(s.device).node).toBe('n1');
      for (const n of [s.usedBytes, s.totalBytes, s.processBytes ?? 0]) {
        expect(Number.isFinite(n) && n >= 0).toBe(true);
      }
      expect(s.totalBytes).toBeGreaterThan(0);
      expect(s.usedBytes).toBeLessThanOrEqual(s.totalBytes);
    }
  });

  it('is stable across two readings', async () => {
    const probe = make();
    const [a, b] = [await probe.sample(), await probe.sample()];
    expect(b.map((s) => s.device)).toEqual(a.map((s) => s.device));
  });
});

describe('probe specifics', () => {
  it('the process probe reports rss, heapUsed, external and arrayBuffers', async () => {
    const [sample] = await new ProcessProbe('n1').sample();
    expect(Object.keys(sample?.details ?? {})).toEqual(expect.arrayContaining(['rss', 'heapUsed', 'external', 'arrayBuffers']));
  });

  it('the gpu probe exports pl_gpu_* gauges when given metrics', async () => {
    const metrics = createMetrics(new Registry());
    await new GpuProbe('n1', { binary: fake.binary, metrics, stage: 'ocr' }).sample();
    expect((await metrics.gpuMemoryTotalBytes.get()).values).toEqual([{ labels: { device: 'cuda:0@n1' }, value: 80 * GIB }]);
    expect((await metrics.gpuProcessMemoryBytes.get()).values).toEqual([{ labels: { device: 'cuda:0@n1', stage: 'ocr' }, value: 512 * 1024 ** 2 }]);
  });

  it('the gpu probe reports this process VRAM from compute-apps', async () => {
    const [gpu] = await new GpuProbe('n1', { binary: fake.binary }).sample();
    expect(gpu).toEqual({ device: 'cuda:0@n1', usedBytes: 1024 * 1024 ** 2, totalBytes: 80 * GIB, processBytes: 512 * 1024 ** 2 });
  });
});

describe('nvidia-smi parsing', () => {
  it('reads MiB, explicit units, and rejects N/A', () => {
    expect(parseMemoryValue('1024')).toBe(1024 * 1024 ** 2);
    expect(parseMemoryValue(' 2 GiB ')).toBe(2 * GIB);
    expect(parseMemoryValue('N/A')).toBeUndefined();
    expect(parseMemoryValue('[Not Supported]')).toBeUndefined();
  });

  it('skips blank lines, headers and malformed rows', () => {
    expect(parseGpuQuery('index, memory.used [MiB], memory.total [MiB]\n0, 10 MiB, 20 MiB\r\n\n,,\n')).toEqual([{ index: 0, usedBytes: 10 * 1024 ** 2, totalBytes: 20 * 1024 ** 2 }]);
    expect(parseComputeApps('No running processes found\n123, 5\n')).toEqual([{ pid: 123, usedBytes: 5 * 1024 ** 2 }]);
    expect(parseGpuQuery('')).toEqual([]);
  });
});
