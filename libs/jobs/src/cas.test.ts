import type { KV } from '@nats-io/kv';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Buckets } from '@paperline/contracts';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { startTestServer, type TestServer } from '@paperline/testing';
import { CasCache, casUpdate } from './index.js';

const CounterSchema = z.object({ n: z.number().int(), by: z.array(z.string()) });
type Counter = z.infer<typeof CounterSchema>;
const add = (who: string) => (current: Counter | undefined) => ({ n: (current?.n ?? 0) + 1, by: [...(current?.by ?? []), who] });

describe('casUpdate with a CasCache', () => {
  let server: TestServer;
  let bus: Bus;
  let kv: KV;
  let reads: number;
  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(async () => {
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    const real = await bus.kv(Buckets.jobs);
    reads = 0;
    // the real bucket, its reads counted
    kv = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'get') return (...args: Parameters<KV['get']>) => (reads++, target.get(...args));
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  it('updates a key it wrote last without reading it again', async () => {
    const cache = new CasCache();
    for (let i = 0; i < 5; i++) await casUpdate(kv, 'k', CounterSchema, add('a'), { cache });
    expect(reads).toBe(1);
    expect(await casUpdate(kv, 'k', CounterSchema, () => undefined)).toEqual({ n: 5, by: ['a', 'a', 'a', 'a', 'a'] });
  });

  it('loses no write of another writer in between: the stale revision fails, the key is read, the update goes on top', async () => {
    const cache = new CasCache();
    await casUpdate(kv, 'k', CounterSchema, add('a'), { cache });
    await casUpdate(kv, 'k', CounterSchema, add('b'));
    expect(await casUpdate(kv, 'k', CounterSchema, add('a'), { cache })).toEqual({ n: 3, by: ['a', 'b', 'a'] });
    // a purge is a write too
    await kv.purge('k');
    expect(await casUpdate(kv, 'k', CounterSchema, add('a'), { cache })).toEqual({ n: 1, by: ['a'] });
  });

  it('answers "nothing to change" from the stored value, not from its own last write', async () => {
    const cache = new CasCache();
    await casUpdate(kv, 'k', CounterSchema, add('a'), { cache });
    await casUpdate(kv, 'k', CounterSchema, add('b'));
    const seen: Counter[] = [];
    const result = await casUpdate(kv, 'k', CounterSchema, (current) => (current && seen.push(current), undefined), { cache });
    expect(result).toEqual({ n: 2, by: ['a', 'b'] });
    expect(seen.at(-1)).toEqual({ n: 2, by: ['a', 'b'] });
  });

  it('forgets its oldest entries past its bound', async () => {
    const cache = new CasCache(2);
    for (const key of ['k1', 'k2', 'k3']) await casUpdate(kv, key, CounterSchema, add('a'), { cache });
    expect([cache.get('k1'), cache.get('k2'), cache.get('k3')].map(Boolean)).toEqual([false, true, true]);
  });
});
