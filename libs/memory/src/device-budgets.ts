import type { Bus } from '@paperline/bus';
import type { Logger, Metrics } from '@paperline/telemetry';
import { MemoryBudget, type MemoryBudgetOptions } from './budget.js';
import { resolveCapacity, type CapacitySpec } from './capacity.js';
import { parseDevice } from './device.js';
import { MemoryError } from './errors.js';
import type { MemoryProbe, MemorySample } from './types.js';

export interface DeviceBudgetsOptions extends Pick<MemoryBudgetOptions, 'leaseTtlMs' | 'heartbeatMs' | 'reserveTimeoutMs' | 'retryAfterMs'> {
  bus: Bus;
  stage: string;
  instance: string;
  capacity: { cpu: CapacitySpec; gpu: CapacitySpec };
  /** Device totals come from these: a host probe for cpu, a GPU probe for cuda devices. */
  probes: MemoryProbe[];
  log?: Logger;
  metrics?: Metrics;
}

/** One MemoryBudget per device this instance uses, opened on first use with the capacity resolved. */
export class DeviceBudgets {
  private readonly budgets = new Map<string, Promise<MemoryBudget>>();

  constructor(private readonly options: DeviceBudgetsOptions) {}

  /** The device's current reading; undefined when the device is not present (no GPU, no nvidia-smi). */
  async sample(device: string): Promise<MemorySample | undefined> {
    for (const probe of this.options.probes) {
      const sample = (await probe.sample()).find((s) => s.device === device);
      if (sample) return sample;
    }
    return undefined;
  }

  get(device: string): Promise<MemoryBudget> {
    let budget = this.budgets.get(device);
    if (!budget) {
      budget = this.open(device);
      this.budgets.set(device, budget);
      budget.catch(() => this.budgets.delete(device));
    }
    return budget;
  }

  opened(): Promise<MemoryBudget[]> {
    return Promise.all([...this.budgets.values()]);
  }

  async closeAll(): Promise<void> {
    const budgets = await Promise.allSettled([...this.budgets.values()]);
    this.budgets.clear();
    for (const b of budgets) if (b.status === 'fulfilled') await b.value.close();
  }

  private async open(device: string): Promise<MemoryBudget> {
    const { kind } = parseDevice(device);
    const sample = await this.sample(device);
    if (!sample) throw new MemoryError('UNKNOWN_DEVICE', `${device} is not reported by any probe`);
    const capacityBytes = resolveCapacity(kind === 'cpu' ? this.options.capacity.cpu : this.options.capacity.gpu, sample.totalBytes);
    const { capacity: _capacity, probes: _probes, ...rest } = this.options;
    return MemoryBudget.open({ ...rest, device, capacityBytes });
  }
}
