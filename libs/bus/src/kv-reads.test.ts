import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Buckets } from '@paperline/contracts';
import { startLocalCluster, type LocalCluster } from '@paperline/nats-server';
import { pollUntil } from '@paperline/testing';
import { Bus, connectBus, type KvReads } from './index.js';

// Which JetStream API answers a KV read: a direct get (any replica) or STREAM.MSG.GET (the
// stream leader). The bus's own connection also subscribes to both, so it sees each request it sends.
describe('Bus.kv reads', () => {
  let cluster: LocalCluster;
  let bus: Bus;
  const requests: string[] = [];
  beforeAll(async () => {
    cluster = await startLocalCluster();
    const nc = await connectBus({ servers: cluster.urls.join(','), waitOnFirstConnect: true });
    // JetStream answers once the meta leader is elected, and takes an R3 bucket once all three peers are in
    bus = await pollUntil('JetStream', () => Bus.from(nc).catch(() => undefined), { timeoutMs: 60_000, intervalMs: 250 });
    const kvm = new Kvm(bus.nc);
    await pollUntil('an R3 bucket', () => kvm.create(Buckets.jobs, { replicas: 3, allow_direct: true }).then(() => true, () => false), { timeoutMs: 60_000, intervalMs: 250 });
    await kvm.create(Buckets.control, { replicas: 1, allow_direct: true });
    for (const api of ['$JS.API.STREAM.MSG.GET.>', '$JS.API.DIRECT.GET.>']) bus.nc.subscribe(api, { callback: (_error, msg) => void requests.push(msg.subject) });
    await bus.nc.flush();
  }, 90_000);
  afterAll(async () => {
    await bus?.close();
    await cluster?.stop();
  });

  async function readThrough(name: typeof Buckets.jobs | typeof Buckets.control, reads: KvReads): Promise<{ value: string | undefined; api: string[] }> {
    const kv = await bus.kv(name, { reads });
    await kv.put(`key.${reads}`, `value of ${reads}`);
    requests.length = 0;
    const entry = await kv.get(`key.${reads}`);
    const missing = await kv.get('key.never-written');
    await bus.nc.flush();
    expect(missing).toBeNull();
    return { value: entry?.string(), api: requests.map((subject) => subject.split('.').slice(2, 4).join('.')) };
  }

  it('reads a bucket from its stream leader when asked to, from any replica otherwise', async () => {
    expect(await readThrough(Buckets.jobs, 'leader')).toEqual({ value: 'value of leader', api: ['STREAM.MSG', 'STREAM.MSG'] });
    expect(await readThrough(Buckets.jobs, 'any-replica')).toEqual({ value: 'value of any-replica', api: ['DIRECT.GET', 'DIRECT.GET'] });
    expect(await readThrough(Buckets.control, 'leader')).toEqual({ value: 'value of leader', api: ['STREAM.MSG', 'STREAM.MSG'] });
  }, 30_000);
});
