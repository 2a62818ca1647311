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
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * Bytes each stream, bucket and store may hold. A full work queue, bucket or store refuses new
 * messages (discard new: the submitter gets STORE_FULL, nothing accepted is dropped); the event
 * and dead-letter histories drop their oldest entries instead. Sum: about 47 GiB, within
 * nats-server's max_file_store (deploy/nats/nats-server.conf).
 */
export const DEFAULT_MAX_BYTES = {
  [Streams.docs]: 64 * MiB,
  [Streams.work]: 2 * GiB,
  [Streams.events]: 1 * GiB,
  [Streams.dlq]: 1 * GiB,
  [Buckets.control]: 16 * MiB,
  [Buckets.memory]: 64 * MiB,
  [Buckets.jobs]: 2 * GiB,
  [Buckets.instances]: 16 * MiB,
  [ObjectStores.documents]: 20 * GiB,
  [ObjectStores.pages]: 16 * GiB,
  [ObjectStores.outputs]: 5 * GiB,
} as const;
export type LimitedResource = keyof typeof DEFAULT_MAX_BYTES;
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
  /** How long an input document is kept (it is read once, by render). @default 2 days */
  documentsTtlMs?: number;
  /** Byte limits by stream, bucket or store name. @default DEFAULT_MAX_BYTES */
  maxBytes?: Partial<Record<LimitedResource, number>>;
  /** Per-stage overrides of the consumer settings. */
  stages?: Partial<Record<StageName, { ackWaitMs?: number; maxDeliver?: number; maxAckPending?: number }>>;
}

export interface BucketSpec {
  name: string;
  history: number;
  ttlMs: number;
  maxBytes: number;
  description: string;
}

export interface ObjectStoreSpec {
  name: string;
  ttlMs: number;
  maxBytes: number;
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
  const maxBytes = (name: LimitedResource) => options.maxBytes?.[name] ?? DEFAULT_MAX_BYTES[name];
  // work queues refuse when full (the publisher sees it); histories forget their oldest
  const queue = (name: LimitedResource) => ({ retention: RetentionPolicy.Workqueue, discard: DiscardPolicy.New, max_bytes: maxBytes(name) });
  const history = (name: LimitedResource) => ({ retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old, max_bytes: maxBytes(name) });
  const streams: Topology['streams'] = [
    { name: Streams.docs, subjects: PRIORITIES.map((p) => Subjects.submitOf(p)), ...queue(Streams.docs), ...common },
    { name: Streams.work, subjects: [Subjects.workAll], ...queue(Streams.work), ...common },
    { name: Streams.events, subjects: [Subjects.events], ...history(Streams.events), max_age: nanos(options.eventsMaxAgeMs ?? 7 * DAY_MS), ...common },
    { name: Streams.dlq, subjects: [Subjects.dlqAll], ...history(Streams.dlq), max_age: nanos(options.dlqMaxAgeMs ?? 30 * DAY_MS), ...common },
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
      { name: Buckets.control, history: 5, ttlMs: 0, maxBytes: maxBytes(Buckets.control), description: 'paperline control flags' },
      { name: Buckets.memory, history: 1, ttlMs: 0, maxBytes: maxBytes(Buckets.memory), description: 'paperline memory ledgers and learned footprints' },
      { name: Buckets.jobs, history: 1, ttlMs: options.jobsTtlMs ?? 7 * DAY_MS, maxBytes: maxBytes(Buckets.jobs), description: 'paperline per-document progress' },
      { name: Buckets.instances, history: 1, ttlMs: INSTANCE_BEAT_TTL_MS, maxBytes: maxBytes(Buckets.instances), description: 'paperline stage instances (presence beats)' },
    ],
    objectStores: [
      // inputs are needed only until rendered: 2 days, not the results' 7
      { name: ObjectStores.documents, ttlMs: options.documentsTtlMs ?? 2 * DAY_MS, maxBytes: maxBytes(ObjectStores.documents), description: 'paperline input documents' },
      { name: ObjectStores.pages, ttlMs: options.pagesTtlMs ?? DAY_MS, maxBytes: maxBytes(ObjectStores.pages), description: 'paperline page rasters and text layers' },
      { name: ObjectStores.outputs, ttlMs: options.outputsTtlMs ?? 7 * DAY_MS, maxBytes: maxBytes(ObjectStores.outputs), description: 'paperline results (JSON, Markdown)' },
    ],
  };
}
