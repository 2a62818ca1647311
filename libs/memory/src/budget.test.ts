import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KV } from '@nats-io/kv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isPaperlineError } from '@paperline/contracts';
import { startTestServer, type TestServer } from '@paperline/testing';
import { openTestBus, provisionMemory, readLedger, recordLedger, sleep } from '../test/helpers.js';
import { MemoryBudget, MemoryError } from './index.js';

const holder = fileURLToPath(new URL('../test/lease-holder.ts', import.meta.url));
const MB = 1_000_000;

describe('MemoryBudget', () => {
  let server: TestServer;
  let kv: KV;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  afterAll(async () => server?.stop());

  const open = async (instance: string, capacityBytes: number, extra: Partial<Parameters<typeof MemoryBudget.open>[0]> = {}) => {
    const bus = await openTestBus(server);
    const budget = await MemoryBudget.open({ bus, device: 'cpu@test', stage: 'ocr', instance, capacityBytes, ...extra });
    server.defer(() => budget.close());
    return budget;
  };
  const setup = async () => {
    kv = await provisionMemory(await openTestBus(server));
  };

  it('adds loading leases while they fit and goes loading -> active -> idle', async () => {
    await setup();
    const budget = await open('a', 100 * MB);
    const id = await budget.reserve('m1', 60 * MB);
    expect((await readLedger(kv, 'cpu@test')).leases[id]).toMatchObject({ state: 'loading', bytes: 60 * MB, instance: 'a', model: 'm1' });
    await budget.setState(id, 'active');
    expect((await readLedger(kv, 'cpu@test')).leases[id]?.state).toBe('active');
    await budget.setState(id, 'idle');
    expect((await readLedger(kv, 'cpu@test')).leases[id]?.state).toBe('idle');
    await budget.release(id);
    expect((await readLedger(kv, 'cpu@test')).leases).toEqual({});
    await expect(budget.reserve('huge', 101 * MB)).rejects.toThrow(MemoryError);
  });

  it('never marks active leases evicting and times out with BUDGET_TIMEOUT and a retry delay', async () => {
    await setup();
    const a = await open('a', 100 * MB);
    const b = await open('b', 100 * MB, { retryAfterMs: 1234 });
    const held = await a.reserve('m1', 70 * MB);
    await a.setState(held, 'active');
    const error = await b.reserve('m2', 50 * MB, { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(isPaperlineError(error) && error.code === 'BUDGET_TIMEOUT' && error.retryAfterMs === 1234).toBe(true);
    expect((await readLedger(kv, 'cpu@test')).leases[held]?.state).toBe('active');
  });

  it("marks the LRU idle lease of another instance evicting; its owner's handler releases it", async () => {
    await setup();
    const a = await open('a', 100 * MB);
    const b = await open('b', 100 * MB);
    const evicted: string[] = [];
    a.onEvict(async (request) => {
      evicted.push(request.model);
      await a.release(request.leaseId);
    });
    const older = await a.reserve('old', 40 * MB);
    await a.setState(older, 'idle');
    await sleep(5);
    const newer = await a.reserve('new', 40 * MB);
    await a.setState(newer, 'idle');
    const started = Date.now();
    const id = await b.reserve('m2', 50 * MB, { timeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(evicted).toEqual(['old']);
    const ledger = await readLedger(kv, 'cpu@test');
    expect(Object.keys(ledger.leases).sort()).toEqual([id, newer].sort());
  });

  it('(contention) 8 reservers racing on one ledger lose no update', async () => {
    await setup();
    const budgets = await Promise.all(Array.from({ length: 8 }, (_, i) => open(`racer-${i}`, 800 * MB)));
    const recorder = await recordLedger(kv, 'cpu@test');
    const ids = await Promise.all(budgets.map((b, i) => b.reserve(`m${i}`, 100 * MB)));
    let ledger = await readLedger(kv, 'cpu@test');
    expect(Object.keys(ledger.leases).sort()).toEqual([...ids].sort());
    // then 8 x 10 concurrent reserve/activate/idle/release cycles on a ledger with room for 4 of them
    await Promise.all(budgets.map((b, i) => b.release(ids[i]!)));
    const tight = await Promise.all(Array.from({ length: 8 }, (_, i) => open(`tight-${i}`, 400 * MB, { reserveTimeoutMs: 20_000 })));
    await Promise.all(
      tight.map(async (b, i) => {
        for (let round = 0; round < 10; round += 1) {
          const id = await b.reserve(`t${i}`, 100 * MB);
          await b.setState(id, 'active');
          await b.release(id);
        }
      }),
    );
    ledger = await readLedger(kv, 'cpu@test');
    expect(ledger.leases).toEqual({});
    await sleep(200);
    recorder.stop();
    expect(recorder.revisions.length).toBeGreaterThan(8 + 8 * 10 * 3);
    expect(Math.max(...recorder.revisions.map((r) => r.reserved - r.capacity))).toBeLessThanOrEqual(0);
  });

  it('(crash safety) the lease of a kill -9ed holder expires and another instance goes ahead within ttl + 1 s', async () => {
    await setup();
    const ttl = 1_500;
    const child = spawn(process.execPath, ['--conditions=@paperline/source', '--import', 'tsx', holder, server.url, 'cpu@test', String(100 * MB), String(90 * MB), String(ttl), '300'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    server.defer(() => child.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('RESERVED') && resolve());
      child.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
    });
    const other = await open('survivor', 100 * MB);
    const waiting = other.reserve('m', 50 * MB, { timeoutMs: 20_000 }).then(() => Date.now());
    await sleep(200);
    const killedAt = Date.now();
    child.kill('SIGKILL');
    const reservedAt = await waiting;
    console.info(`[crash-safety] lease ttl ${ttl} ms, heartbeat 300 ms: the survivor got its lease ${reservedAt - killedAt} ms after kill -9`);
    expect(reservedAt - killedAt).toBeLessThanOrEqual(ttl + 1_000);
    const ledger = await readLedger(kv, 'cpu@test');
    expect(Object.values(ledger.leases).map((l) => l.instance)).toEqual(['survivor']);
  });
});
