import { JetStreamApiError } from '@nats-io/jetstream';
import type { Bus } from '@paperline/bus';
import {
  Buckets,
  LedgerSchema,
  STAGES,
  consumerName,
  consumerStream,
  decode,
  stagePriorities,
  type Lease,
  type Priority,
  type StageName,
} from '@paperline/contracts';
import { ControlPlane } from '@paperline/stage';
import type { Logger } from '@paperline/telemetry';

export interface ModelStatus {
  id: string;
  device: string;
  instance: string;
  state: Lease['state'];
  /** In memory (active, idle or being evicted), as opposed to still loading. */
  loaded: boolean;
  bytes: number;
}

export interface StageStatus {
  paused: boolean;
  models: ModelStatus[];
  /** Messages waiting per priority; null when the consumer does not exist (not provisioned). */
  pending: Partial<Record<Priority, number | null>>;
  /** Delivered and not yet acknowledged, all priorities together. */
  inFlight: number | null;
}

export interface DeviceStatus {
  capacityBytes: number;
  /** Sum of the unexpired leases. */
  reservedBytes: number;
  leases: Array<{ id: string; expired: boolean } & Lease>;
}

export interface ClusterStatus {
  stages: Record<StageName, StageStatus>;
  devices: Record<string, DeviceStatus>;
}

const LEDGER_PREFIX = 'ledger.';

async function readLedgers(bus: Bus, log: Logger | undefined): Promise<Record<string, DeviceStatus>> {
  const kv = await bus.kv(Buckets.memory);
  const devices: Record<string, DeviceStatus> = {};
  const now = Date.now();
  for await (const key of await kv.keys(`${LEDGER_PREFIX}>`)) {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT') continue;
    try {
      const ledger = decode(LedgerSchema, entry.value);
      const leases = Object.entries(ledger.leases).map(([id, lease]) => ({ id, expired: lease.expiresAt <= now, ...lease }));
      devices[ledger.device] = {
        capacityBytes: ledger.capacityBytes,
        reservedBytes: leases.filter((l) => !l.expired).reduce((sum, l) => sum + l.bytes, 0),
        leases,
      };
    } catch (error) {
      log?.warn({ key, err: error }, 'skipped a malformed ledger');
    }
  }
  return devices;
}

async function consumerCounts(bus: Bus, stage: StageName, priority: Priority): Promise<{ pending: number; ackPending: number } | undefined> {
  try {
    const info = await bus.jsm.consumers.info(consumerStream(stage), consumerName(stage, priority));
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  } catch (error) {
    if (error instanceof JetStreamApiError) return undefined;
    throw error;
  }
}

/** One snapshot of the cluster: flags, models and queues per stage; capacity and leases per device. */
export async function clusterStatus(bus: Bus, log?: Logger): Promise<ClusterStatus> {
  const [flags, devices] = await Promise.all([(await ControlPlane.open(bus)).allStageFlags(), readLedgers(bus, log)]);
  const stages = {} as Record<StageName, StageStatus>;
  for (const stage of STAGES) {
    const models: ModelStatus[] = [];
    for (const [device, status] of Object.entries(devices)) {
      for (const lease of status.leases) {
        if (lease.stage !== stage || lease.expired) continue;
        models.push({ id: lease.model, device, instance: lease.instance, state: lease.state, loaded: lease.state !== 'loading', bytes: lease.bytes });
      }
    }
    const pending: StageStatus['pending'] = {};
    let inFlight: number | null = null;
    for (const priority of stagePriorities(stage)) {
      const counts = await consumerCounts(bus, stage, priority);
      pending[priority] = counts?.pending ?? null;
      if (counts) inFlight = (inFlight ?? 0) + counts.ackPending;
    }
    stages[stage] = { paused: flags[stage].paused, models, pending, inFlight };
  }
  return { stages, devices };
}
