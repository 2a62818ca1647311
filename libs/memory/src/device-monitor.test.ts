import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '@paperline/telemetry';
import { writeFakeNvidiaSmi } from '../test/fake-nvidia-smi.js';
import { DeviceMonitor } from './device-monitor.js';
import { GpuProbe, HostProbe } from './probes.js';

async function values(metrics: Metrics, name: 'devicePresent' | 'hostMemoryTotalBytes' | 'gpuMemoryUsedBytes' | 'gpuProcessMemoryBytes') {
  return Object.fromEntries((await metrics[name].get()).values.map((v) => [String(v.labels['device']), v.value]));
}

// recorded from an nvidia-smi 550 on a two-GPU node (noheader, nounits), one of them without our pid
const RECORDED_GPUS = '0, 1536, 81920\n1, 0, 81920\n';
const RECORDED_APPS = `${process.pid}, 1024\n4242, 512\n`;

describe('DeviceMonitor', () => {
  it('on a CPU-only node: host memory, cpu present, the configured GPU present=0 and no GPU figures', async () => {
    const metrics = createMetrics(new Registry());
    const probes = [new HostProbe('n1'), new GpuProbe('n1', { binary: '/nonexistent/nvidia-smi', metrics })];
    const monitor = new DeviceMonitor({ node: 'n1', probes, expected: ['cuda:0', 'cpu'], metrics });
    await monitor.sample();
    expect(await values(metrics, 'devicePresent')).toEqual({ 'cuda:0@n1': 0, 'cpu@n1': 1 });
    expect((await values(metrics, 'hostMemoryTotalBytes'))['cpu@n1']).toBeGreaterThan(0);
    expect(await values(metrics, 'gpuMemoryUsedBytes')).toEqual({});
  });

  it('with GPUs (recorded nvidia-smi output): every reported GPU present, used and per-process memory by pid', async () => {
    const metrics = createMetrics(new Registry());
    const fake = writeFakeNvidiaSmi({ gpus: RECORDED_GPUS, apps: RECORDED_APPS });
    const probes = [new HostProbe('n1'), new GpuProbe('n1', { binary: fake.binary, metrics, stage: 'ocr' })];
    const monitor = new DeviceMonitor({ node: 'n1', probes, expected: ['cuda:0', 'cpu'], metrics, intervalMs: 10 });
    monitor.start();
    try {
      await monitor.sample();
      expect(await values(metrics, 'devicePresent')).toEqual({ 'cuda:0@n1': 1, 'cuda:1@n1': 1, 'cpu@n1': 1 });
      expect(await values(metrics, 'gpuMemoryUsedBytes')).toEqual({ 'cuda:0@n1': 1536 * 2 ** 20, 'cuda:1@n1': 0 });
      expect((await values(metrics, 'gpuProcessMemoryBytes'))['cuda:0@n1']).toBe(1024 * 2 ** 20);
    } finally {
      monitor.stop();
    }
  });
});
