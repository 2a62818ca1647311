import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Buckets, ObjectStores, STAGES, Streams, consumerName, stagePriorities } from '@paperline/contracts';
import { startTestServer, type TestServer } from '@paperline/testing';
import { Bus, BusError, buildTopology, provisionTopology } from './index.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('../test/provision-child.ts', import.meta.url));

describe('provisionTopology', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => server.reset());
  const openBus = async () => {
    const bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    server.defer(() => bus.close());
    return bus;
  };
  afterAll(async () => server?.stop());

  it('creates every stream, consumer, bucket and object store, and is a no-op the second time', async () => {
    const bus = await openBus();
    const first = await provisionTopology(bus.nc, buildTopology());
    const consumerCount = STAGES.reduce((n, s) => n + stagePriorities(s).length, 0);
    expect(first.created).toHaveLength(4 + consumerCount + 4 + 3);
    const second = await provisionTopology(bus.nc, buildTopology());
    expect(second.created).toEqual([]);
    expect(second.drift).toEqual([]);
    expect(second.unchanged).toHaveLength(first.created.length);
  });

  it('updates a drifted consumer and reports what changed', async () => {
    const bus = await openBus();
    await provisionTopology(bus.nc, buildTopology({ ackWaitMs: 30_000 }));
    const report = await provisionTopology(bus.nc, buildTopology({ ackWaitMs: 5_000 }));
    expect(report.updated).toContain(`consumer ${Streams.work}/${consumerName('ocr', 'high')}`);
    expect(report.drift.find((d) => d.field === 'ack_wait')).toMatchObject({ expected: 5_000_000_000, actual: 30_000_000_000 });
    const info = await bus.jsm.consumers.info(Streams.work, consumerName('ocr', 'high'));
    expect(info.config.ack_wait).toBe(5_000_000_000);
  });

  it("refuses to change a stream's retention, naming the field", async () => {
    const bus = await openBus();
    await provisionTopology(bus.nc, buildTopology());
    const topology = buildTopology();
    const work = topology.streams.find((s) => s.name === Streams.work);
    if (!work) throw new Error('no work stream');
    work.retention = 'limits' as never;
    await expect(provisionTopology(bus.nc, topology)).rejects.toThrow(BusError);
    await expect(provisionTopology(bus.nc, topology)).rejects.toThrow(/retention/);
    const report = await provisionTopology(bus.nc, topology, { onDrift: 'report' });
    expect(report.drift).toEqual([expect.objectContaining({ resource: `stream ${Streams.work}`, field: 'retention', updatable: false })]);
  });

  it('(h) five processes provisioning at once end with one correct set of streams and buckets', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => run(process.execPath, ['--conditions=@paperline/source', '--import', 'tsx', child, server.url], { timeout: 60_000 })),
    );
    const reports = results.map((r) => JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { drift: unknown[] });
    // creating an identical resource is a no-op on the server, so no process saw a conflict
    for (const report of reports) expect(report.drift).toEqual([]);
    const bus = await openBus();
    const jsm = await jetstreamManager(bus.nc);
    const names: string[] = [];
    for await (const name of jsm.streams.names()) names.push(name);
    expect(names.sort()).toEqual(
      [
        ...Object.values(Streams),
        ...Object.values(Buckets).map((b) => `KV_${b}`),
        ...Object.values(ObjectStores).map((o) => `OBJ_${o}`),
      ].sort(),
    );
    const consumers: string[] = [];
    for await (const c of jsm.consumers.list(Streams.work)) {
      consumers.push(c.name);
      expect(c.config.ack_wait).toBe(7_000_000_000);
    }
    expect(consumers).toHaveLength(12);
  });
});
