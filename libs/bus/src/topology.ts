import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, type ConsumerConfig, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import {
  Buckets,
  PRIORITIES,
  ObjectStores,
  STAGES,
  Streams,
  Subjects,
  consumerName,
  consumerStream,
  consumerSubject,
  stagePriorities,
  type StageName,
} from '@paperline/contracts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A beat not renewed this long is removed by the server (instances renew theirs every few seconds). */
export const INSTANCE_BEAT_TTL_MS = 60_000;

export interface TopologyOptions {
  /** @default 1 */
  replicas?: number;
  /** How long the server waits for an ack before redelivery. @default 30_000 */
  ackWaitMs?: number;
  /** Deliveries before a message is dead-lettered. @default 5 */
  maxDeliver?: number;
  /** Messages a consumer may have delivered and unacked. @default 2_000 */
  maxAckPending?: number;
  /** Window in which a repeated Nats-Msg-Id is dropped. @default 10 minutes */
  duplicateWindowMs?: number;
  /** @default 7 days */
  eventsMaxAgeMs?: number;
  /** @default 30 days */
  dlqMaxAgeMs?: number;
  /** @default 7 days */
  jobsTtlMs?: number;
  /** @default 1 day */
  pagesTtlMs?: number;
  /** @default 7 days */
  outputsTtlMs?: number;
  /** Per-stage overrides of the consumer settings. */
  stages?: Partial<Record<StageName, { ackWaitMs?: number; maxDeliver?: number; maxAckPending?: number }>>;
}

export interface BucketSpec {
  name: string;
  history: number;
  ttlMs: number;
  description: string;
}

export interface ObjectStoreSpec {
  name: string;
  ttlMs: number;
  description: string;
}

export interface Topology {
  streams: Array<Partial<StreamConfig> & { name: string; subjects: string[] }>;
  consumers: Array<{ stream: string; config: Partial<ConsumerConfig> & { durable_name: string } }>;
  buckets: BucketSpec[];
  objectStores: ObjectStoreSpec[];
  replicas: number;
}

/** The desired set of streams, consumers, buckets and object stores (DESIGN.md, docs/architecture.md). */
export function buildTopology(options: TopologyOptions = {}): Topology {
  const replicas = options.replicas ?? 1;
  const duplicateWindow = nanos(options.duplicateWindowMs ?? 10 * 60_000);
  const common = { storage: StorageType.File, num_replicas: replicas, duplicate_window: duplicateWindow };
  const streams: Topology['streams'] = [
    { name: Streams.docs, subjects: PRIORITIES.map((p) => Subjects.submitOf(p)), retention: RetentionPolicy.Workqueue, discard: DiscardPolicy.Old, ...common },
    { name: Streams.work, subjects: [Subjects.workAll], retention: RetentionPolicy.Workqueue, discard: DiscardPolicy.Old, ...common },
    { name: Streams.events, subjects: [Subjects.events], retention: RetentionPolicy.Limits, max_age: nanos(options.eventsMaxAgeMs ?? 7 * DAY_MS), ...common },
    { name: Streams.dlq, subjects: [Subjects.dlqAll], retention: RetentionPolicy.Limits, max_age: nanos(options.dlqMaxAgeMs ?? 30 * DAY_MS), ...common },
  ];
  const consumers: Topology['consumers'] = [];
  for (const stage of STAGES) {
    const overrides = options.stages?.[stage] ?? {};
    for (const priority of stagePriorities(stage)) {
      consumers.push({
        stream: consumerStream(stage),
        config: {
          durable_name: consumerName(stage, priority),
          filter_subject: consumerSubject(stage, priority),
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: nanos(overrides.ackWaitMs ?? options.ackWaitMs ?? 30_000),
          max_deliver: overrides.maxDeliver ?? options.maxDeliver ?? 5,
          max_ack_pending: overrides.maxAckPending ?? options.maxAckPending ?? 2_000,
          num_replicas: 0,
        },
      });
    }
  }
  return {
    replicas,
    streams,
    consumers,
    buckets: [
      { name: Buckets.control, history: 5, ttlMs: 0, description: 'paperline control flags' },
      { name: Buckets.memory, history: 1, ttlMs: 0, description: 'paperline memory ledgers and learned footprints' },
      { name: Buckets.jobs, history: 1, ttlMs: options.jobsTtlMs ?? 7 * DAY_MS, description: 'paperline per-document progress' },
      { name: Buckets.instances, history: 1, ttlMs: INSTANCE_BEAT_TTL_MS, description: 'paperline stage instances (presence beats)' },
    ],
    objectStores: [
      { name: ObjectStores.documents, ttlMs: options.outputsTtlMs ?? 7 * DAY_MS, description: 'paperline input documents' },
      { name: ObjectStores.pages, ttlMs: options.pagesTtlMs ?? DAY_MS, description: 'paperline page rasters and text layers' },
      { name: ObjectStores.outputs, ttlMs: options.outputsTtlMs ?? 7 * DAY_MS, description: 'paperline results (JSON, Markdown)' },
    ],
  };
}
