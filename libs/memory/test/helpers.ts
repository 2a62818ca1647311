// Shared by the memory and models tests: a Bus on the test server with the buckets and the
// events stream the budget and the managers use.
import { Kvm, type KV } from '@nats-io/kv';
import { Bus } from '@paperline/bus';
import { Buckets, LedgerSchema, MemoryKeys, Streams, Subjects, type Ledger } from '@paperline/contracts';
import type { TestServer } from '@paperline/testing';

export async function openTestBus(server: TestServer): Promise<Bus> {
  const bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
  server.defer(() => bus.close());
  return bus;
}

/** The memory bucket with history, so a watcher sees every ledger revision, and the events stream. */
export async function provisionMemory(bus: Bus): Promise<KV> {
  const kv = await new Kvm(bus.nc).create(Buckets.memory, { history: 64 });
  await bus.jsm.streams.add({ name: Streams.events, subjects: [Subjects.events] });
  return kv;
}

export interface LedgerRecord {
  revision: number;
  reserved: number;
  capacity: number;
  leases: Ledger['leases'];
}

/** Records every revision of a ledger (for the never-exceeded checks). */
export async function recordLedger(kv: KV, device: string): Promise<{ revisions: LedgerRecord[]; stop(): void }> {
  const revisions: LedgerRecord[] = [];
  const watch = await kv.watch({ key: MemoryKeys.ledger(device) });
  void (async () => {
    for await (const entry of watch) {
      if (entry.operation !== 'PUT') continue;
      const ledger = LedgerSchema.parse(entry.json());
      const reserved = Object.values(ledger.leases).reduce((sum, l) => sum + l.bytes, 0);
      revisions.push({ revision: entry.revision, reserved, capacity: ledger.capacityBytes, leases: ledger.leases });
    }
  })();
  return { revisions, stop: () => watch.stop() };
}

export async function readLedger(kv: KV, device: string): Promise<Ledger> {
  const entry = await kv.get(MemoryKeys.ledger(device));
  if (!entry) throw new Error(`no ledger for ${device}`);
  return LedgerSchema.parse(entry.json());
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
