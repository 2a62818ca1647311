// Settings of the memory lib (convict schema, merged into each service's schema) and their
// compiled form. Defaults are documented in docs/memory.md.
import { DEFAULT_HEARTBEAT_MS, DEFAULT_LEASE_TTL_MS, DEFAULT_RESERVE_TIMEOUT_MS, DEFAULT_RETRY_AFTER_MS } from './budget.js';
import { parseCapacity, type CapacitySpec } from './capacity.js';
import { DEFAULT_DEVICE_SAMPLE_MS } from './device-monitor.js';
import { DEFAULT_DUMP_DIR, DEFAULT_GUARD_COOLDOWN_MS, DEFAULT_GUARD_INTERVAL_MS, DEFAULT_THRESHOLDS, type GuardThresholds } from './guard.js';

// convict calls a format function with the value and reports what it throws, naming the key.
function capacityFormat(value: unknown): void {
  parseCapacity(String(value));
}
function fraction(value: unknown): void {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) throw new Error('must be a number in (0, 1]');
}

export const memorySchema = {
  memory: {
    capacity: {
      cpu: { doc: 'Budget of the cpu@<node> ledger: bytes (12GiB), a percentage (50%) or a fraction (0.5) of host memory.', format: capacityFormat, default: '0.5', env: 'PL_MEMORY_CPU_CAPACITY' },
      gpu: { doc: 'Budget of each cuda:<n>@<node> ledger: bytes or a fraction of the GPU total from nvidia-smi.', format: capacityFormat, default: '0.9', env: 'PL_MEMORY_GPU_CAPACITY' },
    },
    leaseTtlMs: { doc: 'A lease not renewed for this long is pruned by the next ledger writer.', format: 'nat', default: DEFAULT_LEASE_TTL_MS, env: 'PL_MEMORY_LEASE_TTL_MS' },
    heartbeatMs: { doc: 'How often an instance renews its leases (well under leaseTtlMs).', format: 'nat', default: DEFAULT_HEARTBEAT_MS, env: 'PL_MEMORY_HEARTBEAT_MS' },
    reserveTimeoutMs: { doc: 'How long a load waits for room in the budget before CPU fallback or BUDGET_TIMEOUT.', format: 'nat', default: DEFAULT_RESERVE_TIMEOUT_MS, env: 'PL_MEMORY_RESERVE_TIMEOUT_MS' },
    retryAfterMs: { doc: 'Nak delay suggested by BUDGET_TIMEOUT.', format: 'nat', default: DEFAULT_RETRY_AFTER_MS, env: 'PL_MEMORY_RETRY_AFTER_MS' },
    nvidiaSmi: { doc: 'The nvidia-smi binary (looked up on PATH).', format: String, default: 'nvidia-smi', env: 'PL_NVIDIA_SMI' },
    sampleIntervalMs: { doc: 'How often host and GPU memory are sampled for the metrics (pl_host_memory_*, pl_gpu_*, pl_device_present).', format: 'nat', default: DEFAULT_DEVICE_SAMPLE_MS, env: 'PL_MEMORY_SAMPLE_INTERVAL_MS' },
    guard: {
      enabled: { doc: 'Run the MemoryGuard monitor loop.', format: Boolean, default: true, env: 'PL_MEMORY_GUARD' },
      limit: { doc: "What the guard measures this process's RSS against: bytes or a fraction of host memory. Empty: the cpu budget.", format: String, default: '', env: 'PL_MEMORY_GUARD_LIMIT' },
      intervalMs: { doc: 'Time between two readings.', format: 'nat', default: DEFAULT_GUARD_INTERVAL_MS, env: 'PL_MEMORY_GUARD_INTERVAL_MS' },
      cooldownMs: { doc: 'Wait after a recovery action before acting again or judging an emergency.', format: 'nat', default: DEFAULT_GUARD_COOLDOWN_MS, env: 'PL_MEMORY_GUARD_COOLDOWN_MS' },
      warn: { doc: 'Warn level, fraction of the limit.', format: fraction, default: DEFAULT_THRESHOLDS.warn, env: 'PL_MEMORY_WARN' },
      critical: { doc: 'Critical level (idle models are unloaded).', format: fraction, default: DEFAULT_THRESHOLDS.critical, env: 'PL_MEMORY_CRITICAL' },
      emergency: { doc: 'Emergency level (suspend, unload all, dump, recycle).', format: fraction, default: DEFAULT_THRESHOLDS.emergency, env: 'PL_MEMORY_EMERGENCY' },
      dumpDir: { doc: 'Where heap snapshots and memory reports are written.', format: String, default: DEFAULT_DUMP_DIR, env: 'PL_MEMORY_DUMP_DIR' },
      heapSnapshot: { doc: 'Write a heap snapshot in an emergency (pauses the process, needs about the heap size again).', format: Boolean, default: true, env: 'PL_MEMORY_HEAP_SNAPSHOT' },
    },
  },
} as const;

export interface MemoryConfig {
  memory: {
    capacity: { cpu: string; gpu: string };
    leaseTtlMs: number;
    heartbeatMs: number;
    reserveTimeoutMs: number;
    retryAfterMs: number;
    nvidiaSmi: string;
    sampleIntervalMs: number;
    guard: { enabled: boolean; limit: string; intervalMs: number; cooldownMs: number; warn: number; critical: number; emergency: number; dumpDir: string; heapSnapshot: boolean };
  };
}

export interface MemorySettings {
  capacity: { cpu: CapacitySpec; gpu: CapacitySpec };
  leaseTtlMs: number;
  heartbeatMs: number;
  reserveTimeoutMs: number;
  retryAfterMs: number;
  nvidiaSmi: string;
  sampleIntervalMs: number;
  guard: { enabled: boolean; limit: CapacitySpec | undefined; intervalMs: number; cooldownMs: number; thresholds: GuardThresholds; dumpDir: string; heapSnapshot: boolean };
}

/** Validated, unit-suffixed, frozen settings. */
export function compileMemorySettings(config: MemoryConfig): Readonly<MemorySettings> {
  const m = config.memory;
  if (m.heartbeatMs >= m.leaseTtlMs) throw new RangeError(`memory.heartbeatMs (${m.heartbeatMs}) must be below memory.leaseTtlMs (${m.leaseTtlMs})`);
  const { warn, critical, emergency } = m.guard;
  if (!(warn <= critical && critical <= emergency)) throw new RangeError(`memory.guard thresholds must satisfy warn <= critical <= emergency`);
  return Object.freeze({
    capacity: { cpu: parseCapacity(m.capacity.cpu), gpu: parseCapacity(m.capacity.gpu) },
    leaseTtlMs: m.leaseTtlMs,
    heartbeatMs: m.heartbeatMs,
    reserveTimeoutMs: m.reserveTimeoutMs,
    retryAfterMs: m.retryAfterMs,
    nvidiaSmi: m.nvidiaSmi,
    sampleIntervalMs: m.sampleIntervalMs,
    guard: {
      enabled: m.guard.enabled,
      limit: m.guard.limit ? parseCapacity(m.guard.limit) : undefined,
      intervalMs: m.guard.intervalMs,
      cooldownMs: m.guard.cooldownMs,
      thresholds: { warn, critical, emergency },
      dumpDir: m.guard.dumpDir,
      heapSnapshot: m.guard.heapSnapshot,
    },
  });
}
