import { freemem, totalmem } from 'node:os';
import type { Metrics } from '@paperline/telemetry';
import { cpuDevice, cudaDevice } from './device.js';
import { COMPUTE_APPS_ARGS, GPU_QUERY_ARGS, parseComputeApps, parseGpuQuery, runNvidiaSmi, type NvidiaSmiOptions } from './nvidia-smi.js';
import type { MemoryProbe, MemorySample } from './types.js';

/** This process: RSS against host memory, with V8's heap figures as details. */
export class ProcessProbe implements MemoryProbe {
  readonly name = 'process';
  constructor(private readonly node: string) {}

  async sample(): Promise<MemorySample[]> {
    const usage = process.memoryUsage();
    return [
      {
        device: cpuDevice(this.node),
        usedBytes: usage.rss,
        totalBytes: totalmem(),
        processBytes: usage.rss,
        details: { rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external, arrayBuffers: usage.arrayBuffers },
      },
    ];
  }
}

/** The whole host, from the OS. */
export class HostProbe implements MemoryProbe {
  readonly name = 'host';
  constructor(private readonly node: string) {}

  async sample(): Promise<MemorySample[]> {
    const total = totalmem();
    return [{ device: cpuDevice(this.node), usedBytes: total - freemem(), totalBytes: total, processBytes: process.memoryUsage().rss }];
  }
}

export interface GpuProbeOptions extends NvidiaSmiOptions {
  /** Whose VRAM counts as processBytes. @default process.pid */
  pid?: number;
  /** When given, every reading sets pl_gpu_memory_used_bytes, pl_gpu_memory_total_bytes and pl_gpu_process_memory_bytes. */
  metrics?: Metrics;
  /** Label of pl_gpu_process_memory_bytes. @default 'unknown' */
  stage?: string;
}

/** Every GPU nvidia-smi reports; none when nvidia-smi is missing or fails. */
export class GpuProbe implements MemoryProbe {
  readonly name = 'gpu';
  constructor(
    private readonly node: string,
    private readonly options: GpuProbeOptions = {},
  ) {}

  async sample(): Promise<MemorySample[]> {
    const gpus = await runNvidiaSmi(GPU_QUERY_ARGS, this.options);
    if (gpus === undefined) return [];
    const readings = parseGpuQuery(gpus);
    if (readings.length === 0) return [];
    const apps = parseComputeApps((await runNvidiaSmi(COMPUTE_APPS_ARGS, this.options)) ?? '');
    const pid = this.options.pid ?? process.pid;
    // compute-apps does not name the GPU in this query; on a multi-GPU node the process figure
    // is the process's total, attributed to each GPU it could be on (an upper bound).
    const own = apps.filter((a) => a.pid === pid).reduce((sum, a) => sum + a.usedBytes, 0);
    const samples = readings.map((r) => ({ device: cudaDevice(r.index, this.node), usedBytes: r.usedBytes, totalBytes: r.totalBytes, processBytes: own }));
    const metrics = this.options.metrics;
    for (const s of metrics ? samples : []) {
      metrics?.gpuMemoryUsedBytes.set({ device: s.device }, s.usedBytes);
      metrics?.gpuMemoryTotalBytes.set({ device: s.device }, s.totalBytes);
      metrics?.gpuProcessMemoryBytes.set({ device: s.device, stage: this.options.stage ?? 'unknown' }, s.processBytes);
    }
    return samples;
  }
}

/** Total memory of a device from the probes (os.totalmem for cpu, nvidia-smi for GPUs); undefined if absent. */
export async function deviceTotalBytes(device: string, probes: MemoryProbe[]): Promise<number | undefined> {
  for (const probe of probes) {
    const sample = (await probe.sample()).find((s) => s.device === device);
    if (sample) return sample.totalBytes;
  }
  return undefined;
}
