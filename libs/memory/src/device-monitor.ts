// Samples the node's devices on a timer, not only when a model loads, so the memory panels stay
// current: host memory, every GPU nvidia-smi reports, and pl_device_present for each device this
// process is configured to use. A configured GPU that nvidia-smi does not report (a CPU-only node,
// a container without the GPU) shows present=0 instead of leaving the panels empty.
import type { Logger, Metrics } from '@paperline/telemetry';
import { formatDevice, parseDevice, type DeviceId } from './device.js';
import type { MemoryProbe } from './types.js';

export const DEFAULT_DEVICE_SAMPLE_MS = 15_000;

export interface DeviceMonitorOptions {
  node: string;
  /** Probes whose samples are published: HostProbe for cpu, GpuProbe (given the metrics) for GPUs. */
  probes: readonly MemoryProbe[];
  /** Devices this process may use, e.g. the providers `cuda:0`, `cpu`; each gets a pl_device_present series. */
  expected: readonly string[];
  metrics: Metrics;
  /** @default DEFAULT_DEVICE_SAMPLE_MS */
  intervalMs?: number;
  log?: Logger;
}

export class DeviceMonitor {
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;
  private readonly expected: DeviceId[];

  constructor(private readonly options: DeviceMonitorOptions) {
    this.expected = [...new Set(options.expected.map((spec) => formatDevice(parseDevice(spec, options.node))))];
  }

  /** Samples once at once, then every intervalMs (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.options.intervalMs ?? DEFAULT_DEVICE_SAMPLE_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One reading of every probe; overlapping calls share one reading. */
  sample(): Promise<void> {
    this.sampling ??= this.read().finally(() => (this.sampling = undefined));
    return this.sampling;
  }

  private async read(): Promise<void> {
    const { metrics, log } = this.options;
    const seen = new Set<DeviceId>();
    for (const probe of this.options.probes) {
      try {
        for (const s of await probe.sample()) {
          seen.add(s.device);
          if (parseDevice(s.device).kind === 'cpu') {
            metrics.hostMemoryUsedBytes.set({ device: s.device }, s.usedBytes);
            metrics.hostMemoryTotalBytes.set({ device: s.device }, s.totalBytes);
          }
        }
      } catch (error) {
        log?.debug({ err: error, probe: probe.name }, 'device probe failed');
      }
    }
    for (const device of new Set([...this.expected, ...seen])) {
      metrics.devicePresent.set({ device, kind: parseDevice(device).kind }, seen.has(device) ? 1 : 0);
    }
  }
}
