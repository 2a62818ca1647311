import { JetStreamApiError } from '@nats-io/jetstream';
import type { Bus } from '@paperline/bus';
import {
  Buckets,
  InstanceBeatSchema,
  InstanceKeys,
  LedgerSchema,
  STAGES,
  consumerName,
  consumerStream,
  decode,
  stagePriorities,
  type InstanceBeat,
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

/** A stage instance whose presence beat is fresh. */
export type InstanceStatus = Pick<InstanceBeat, 'instance' | 'node' | 'pid' | 'backend' | 'models' | 'startedAt' | 'beatAt'>;

export interface StageStatus {
  /** down: no instance answers (no fresh presence beat); paused wins over running, not over down. */
  state: 'running' | 'paused' | 'down';
  paused: boolean;
  instances: InstanceStatus[];
  /** The backends its instances run with (one, unless instances are configured differently). */
  backends: string[];
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

/** A beat older than this many of its own intervals is an instance that stopped answering. */
const MISSED_BEATS = 3;

async function readInstances(bus: Bus, log: Logger | undefined): Promise<InstanceBeat[]> {
  const kv = await bus.kv(Buckets.instances);
  const now = Date.now();
  const beats: InstanceBeat[] = [];
  for await (const key of await kv.keys(InstanceKeys.all)) {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT') continue;
    try {
      const beat = decode(InstanceBeatSchema, entry.value);
      if (now - beat.beatAt <= MISSED_BEATS * beat.intervalMs) beats.push(beat);
    } catch (error) {
      log?.warn({ key, err: error }, 'skipped a malformed instance beat');
    }
  }
  return beats;
}

/** One snapshot of the cluster: flags, models and queues per stage; capacity and leases per device. */
export async function clusterStatus(bus: Bus, log?: Logger): Promise<ClusterStatus> {
  const [flags, devices, beats] = await Promise.all([(await ControlPlane.open(bus)).allStageFlags(), readLedgers(bus, log), readInstances(bus, log)]);
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
    const instances = beats
      .filter((b) => b.stage === stage)
      .map(({ instance, node, pid, backend, models: described, startedAt, beatAt }) => ({ instance, node, pid, backend, models: described, startedAt, beatAt }));
    const paused = flags[stage].paused;
    const state = instances.length === 0 ? 'down' : paused ? 'paused' : 'running';
    const backends = [...new Set(instances.flatMap((i) => (i.backend ? [i.backend] : [])))];
    stages[stage] = { state, paused, instances, backends, models, pending, inFlight };
  }
  return { stages, devices };
}
