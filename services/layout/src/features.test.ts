import { describe, expect, it } from 'vitest';
import { CachedFeatures, effectiveFeatures, type FeatureSet } from './features.js';

const ON: FeatureSet = { table: true, formula: true, chart: true };

describe('effectiveFeatures', () => {
  it('lets a request turn a feature off, never on against the flag', () => {
    expect(effectiveFeatures(ON, { features: { table: false } })).toEqual({ table: false, formula: true, chart: true });
    expect(effectiveFeatures({ ...ON, chart: false }, { features: { chart: true } })).toEqual({ table: true, formula: true, chart: false });
  });
});

describe('CachedFeatures', () => {
  it('reads the flags once per ttl, shares a read, and does not cache a failed read', async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const source = { features: async () => (reads++, fail ? Promise.reject(new Error('kv down')) : { ...ON, table: reads % 2 === 0 }) };
    const cached = new CachedFeatures(async () => source, 1000, () => now);
    const [a, b] = await Promise.all([cached.features(), cached.features()]);
    expect(reads).toBe(1);
    expect(a).toBe(b);
    now = 999;
    await cached.features();
    expect(reads).toBe(1);
    now = 1000;
    expect((await cached.features()).table).toBe(true);
    expect(reads).toBe(2);
    fail = true;
    now = 2000;
    await expect(cached.features()).rejects.toThrow('kv down');
    fail = false;
    await cached.features();
    expect(reads).toBe(4);
  });
});
