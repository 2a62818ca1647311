export { MemoryError, MemoryErrorCodes, type MemoryErrorCode } from './errors.js';
export type { MemoryProbe, MemorySample, GuardActions } from './types.js';
export { cpuDevice, cudaDevice, parseDevice, formatDevice, type DeviceId, type ParsedDevice } from './device.js';
export { parseCapacity, resolveCapacity, type CapacitySpec } from './capacity.js';
export { parseGpuQuery, parseComputeApps, parseMemoryValue, runNvidiaSmi, type GpuReading, type GpuProcessReading, type NvidiaSmiOptions } from './nvidia-smi.js';
export { ProcessProbe, HostProbe, GpuProbe, deviceTotalBytes, type GpuProbeOptions } from './probes.js';
export {
  MemoryBudget,
  reservedBytes,
  DEFAULT_LEASE_TTL_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_RESERVE_TIMEOUT_MS,
  DEFAULT_RETRY_AFTER_MS,
  type MemoryBudgetOptions,
  type EvictRequest,
  type EvictHandler,
  type ReserveOptions,
} from './budget.js';
export { DeviceMonitor, DEFAULT_DEVICE_SAMPLE_MS, type DeviceMonitorOptions } from './device-monitor.js';
export { DeviceBudgets, type DeviceBudgetsOptions } from './device-budgets.js';
export { FootprintStore } from './footprints.js';
export { MemoryGuard, DEFAULT_THRESHOLDS, DEFAULT_GUARD_INTERVAL_MS, DEFAULT_GUARD_COOLDOWN_MS, DEFAULT_DUMP_DIR, type MemoryGuardOptions, type GuardThresholds, type GuardCheck } from './guard.js';
export { memorySchema, compileMemorySettings, type MemoryConfig, type MemorySettings } from './config.js';
