import { describe, expect, it } from 'vitest';
import { loadConfig } from '@paperline/config';
import { compileMemorySettings, memorySchema, parseCapacity, resolveCapacity, type MemoryConfig } from './index.js';

describe('memory settings', () => {
  it('has documented defaults and env overrides', () => {
    const config = loadConfig(memorySchema, { env: { PL_MEMORY_CPU_CAPACITY: '6GiB', PL_MEMORY_CRITICAL: '0.85' } }) as unknown as MemoryConfig;
    const settings = compileMemorySettings(config);
    expect(settings.capacity.cpu).toEqual({ bytes: 6 * 2 ** 30 });
    expect(settings.capacity.gpu).toEqual({ fraction: 0.9 });
    expect(settings.guard.thresholds).toEqual({ warn: 0.8, critical: 0.85, emergency: 0.95 });
    expect(settings.leaseTtlMs).toBeGreaterThan(settings.heartbeatMs);
  });

  it('rejects a bad capacity naming the key, and a heartbeat slower than the lease ttl', () => {
    expect(() => loadConfig(memorySchema, { env: { PL_MEMORY_GPU_CAPACITY: 'lots' } })).toThrow(/memory.capacity.gpu/);
    const config = loadConfig(memorySchema, { env: { PL_MEMORY_HEARTBEAT_MS: '20000' } }) as unknown as MemoryConfig;
    expect(() => compileMemorySettings(config)).toThrow(/heartbeatMs/);
  });

  it('parses bytes, units, percentages and fractions', () => {
    expect(parseCapacity('0.5')).toEqual({ fraction: 0.5 });
    expect(parseCapacity('75%')).toEqual({ fraction: 0.75 });
    expect(parseCapacity('500MB')).toEqual({ bytes: 500e6 });
    expect(parseCapacity(1_073_741_824)).toEqual({ bytes: 2 ** 30 });
    expect(resolveCapacity({ fraction: 0.5 }, 1000)).toBe(500);
    expect(() => parseCapacity('1.5')).toThrow();
  });
});
