import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { nanos } from '@nats-io/nats-core';
import type { Logger } from '@paperline/telemetry';
import { BusError, BusErrorCodes } from './errors.js';
import type { Topology } from './topology.js';

export type DriftPolicy = 'update' | 'report' | 'fail';

export interface ProvisionOptions {
  log?: Logger;
  /** What to do when an existing resource differs from the topology. @default 'update' */
  onDrift?: DriftPolicy;
}

export interface Drift {
  resource: string;
  field: string;
  expected: unknown;
  actual: unknown;
  /** Fields such as retention or storage cannot be changed on a live stream. */
  updatable: boolean;
}

export interface ProvisionReport {
  created: string[];
  updated: string[];
  unchanged: string[];
  drift: Drift[];
}

/** The server's answer to a create whose stream exists with another configuration. */
const STREAM_NAME_IN_USE = 10058;
const IMMUTABLE_STREAM_FIELDS = new Set(['retention', 'storage']);

function isCode(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

function sameValue(expected: unknown, actual: unknown): boolean {
  return JSON.stringify(expected) === JSON.stringify(actual);
}

function diff(resource: string, expected: Record<string, unknown>, actual: Record<string, unknown>, immutable: Set<string>): Drift[] {
  const drift: Drift[] = [];
  for (const [field, value] of Object.entries(expected)) {
    if (value === undefined || field === 'name' || field === 'durable_name') continue;
    // num_replicas 0 on a consumer means "inherit from the stream"; the server reports the effective value
    if (field === 'num_replicas' && value === 0) continue;
    if (!sameValue(value, actual[field])) drift.push({ resource, field, expected: value, actual: actual[field], updatable: !immutable.has(field) });
  }
  return drift;
}

/**
 * Creates or reconciles every stream, consumer, bucket and object store of the topology.
 * Safe to run from many instances at once: creating an identical resource is a no-op on the
 * server, and a create that loses a race falls back to reading and comparing.
 */
export async function provisionTopology(nc: NatsConnection, topology: Topology, options: ProvisionOptions = {}): Promise<ProvisionReport> {
  const jsm = await jetstreamManager(nc);
  const report: ProvisionReport = { created: [], updated: [], unchanged: [], drift: [] };
  const policy = options.onDrift ?? 'update';
  try {
    for (const bucket of topology.buckets) {
      await ensureKvBucket(nc, jsm, bucket.name, { history: bucket.history, ttl: bucket.ttlMs, max_bytes: bucket.maxBytes, replicas: topology.replicas, description: bucket.description }, report, policy);
    }
    for (const store of topology.objectStores) {
      await ensureObjectStore(nc, jsm, store.name, { ttl: nanos(store.ttlMs), max_bytes: store.maxBytes, replicas: topology.replicas, description: store.description }, report, policy);
    }
    for (const stream of topology.streams) await ensureStream(jsm, stream, report, policy);
    for (const consumer of topology.consumers) await ensureConsumer(jsm, consumer.stream, consumer.config, report, policy);
  } catch (error) {
    if (error instanceof BusError) throw error;
    throw new BusError(BusErrorCodes.PROVISION_FAILED, `provisioning failed: ${(error as Error).message}`, { cause: error });
  }
  options.log?.info({ created: report.created.length, updated: report.updated.length, unchanged: report.unchanged.length, drift: report.drift.length }, 'topology provisioned');
  for (const d of report.drift) options.log?.warn(d, 'configuration drift');
  return report;
}

async function reconcile(
  resource: string,
  drift: Drift[],
  report: ProvisionReport,
  policy: DriftPolicy,
  update: () => Promise<unknown>,
): Promise<void> {
  if (drift.length === 0) {
    report.unchanged.push(resource);
    return;
  }
  report.drift.push(...drift);
  if (policy === 'fail' || drift.some((d) => !d.updatable)) {
    if (policy !== 'report') {
      const fields = drift.map((d) => `${d.field} (expected ${JSON.stringify(d.expected)}, found ${JSON.stringify(d.actual)})`).join(', ');
      throw new BusError(BusErrorCodes.CONFIG_DRIFT, `${resource} differs from the expected configuration: ${fields}`);
    }
    return;
  }
  if (policy === 'update') {
    await update();
    report.updated.push(resource);
  }
}

async function ensureStream(jsm: JetStreamManager, config: Topology['streams'][number], report: ProvisionReport, policy: DriftPolicy): Promise<void> {
  const resource = `stream ${config.name}`;
  let info = await jsm.streams.info(config.name).catch((error) => {
    if (isCode(error, JetStreamApiCodes.StreamNotFound)) return undefined;
    throw error;
  });
  if (!info) {
    try {
      await jsm.streams.add(config);
      report.created.push(resource);
      return;
    } catch (error) {
      // lost a race to an instance with other settings: compare below
      if (!isCode(error, STREAM_NAME_IN_USE)) throw error;
      info = await jsm.streams.info(config.name);
    }
  }
  const current = info;
  const drift = diff(resource, config as Record<string, unknown>, current.config as unknown as Record<string, unknown>, IMMUTABLE_STREAM_FIELDS);
  await reconcile(resource, drift, report, policy, () => jsm.streams.update(config.name, { ...current.config, ...config }));
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Topology['consumers'][number]['config'],
  report: ProvisionReport,
  policy: DriftPolicy,
): Promise<void> {
  const resource = `consumer ${stream}/${config.durable_name}`;
  let existing;
  try {
    existing = await jsm.consumers.info(stream, config.durable_name);
  } catch (error) {
    if (!isCode(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
  }
  if (!existing) {
    try {
      await jsm.consumers.add(stream, config);
      report.created.push(resource);
      return;
    } catch (error) {
      // another instance created it first with other settings: compare below
      existing = await jsm.consumers.info(stream, config.durable_name).catch(() => {
        throw error;
      });
    }
  }
  const drift = diff(resource, config as Record<string, unknown>, existing.config as unknown as Record<string, unknown>, new Set(['filter_subject', 'deliver_policy', 'ack_policy']));
  await reconcile(resource, drift, report, policy, () => jsm.consumers.update(stream, config.durable_name, config));
}

async function ensureKvBucket(
  nc: NatsConnection,
  jsm: JetStreamManager,
  name: string,
  opts: { history: number; ttl: number; max_bytes: number; replicas: number; description: string },
  report: ProvisionReport,
  policy: DriftPolicy,
): Promise<void> {
  const resource = `kv ${name}`;
  const streamName = `KV_${name}`;
  const exists = await jsm.streams.info(streamName).then(
    (info) => info,
    (error) => {
      if (isCode(error, JetStreamApiCodes.StreamNotFound)) return undefined;
      throw error;
    },
  );
  if (!exists) {
    try {
      await new Kvm(nc).create(name, opts);
      report.created.push(resource);
      return;
    } catch (error) {
      if (!(await jsm.streams.info(streamName).catch(() => undefined))) throw error;
    }
  }
  const info = await jsm.streams.info(streamName);
  const expected = { max_msgs_per_subject: opts.history, max_age: nanos(opts.ttl), max_bytes: opts.max_bytes, discard: DiscardPolicy.New, num_replicas: opts.replicas, allow_direct: true };
  const drift = diff(resource, expected, info.config as unknown as Record<string, unknown>, new Set());
  await reconcile(resource, drift, report, policy, () => jsm.streams.update(streamName, { ...info.config, ...expected }));
}

async function ensureObjectStore(
  nc: NatsConnection,
  jsm: JetStreamManager,
  name: string,
  opts: { ttl: number; max_bytes: number; replicas: number; description: string },
  report: ProvisionReport,
  policy: DriftPolicy,
): Promise<void> {
  const resource = `object store ${name}`;
  const streamName = `OBJ_${name}`;
  const exists = await jsm.streams.info(streamName).catch((error) => {
    if (isCode(error, JetStreamApiCodes.StreamNotFound)) return undefined;
    throw error;
  });
  if (!exists) {
    try {
      await new Objm(nc).create(name, opts);
      report.created.push(resource);
      return;
    } catch (error) {
      if (!(await jsm.streams.info(streamName).catch(() => undefined))) throw error;
    }
  }
  const info = await jsm.streams.info(streamName);
  const expected = { max_age: opts.ttl, max_bytes: opts.max_bytes, discard: DiscardPolicy.New, num_replicas: opts.replicas };
  const drift = diff(resource, expected, info.config as unknown as Record<string, unknown>, new Set());
  await reconcile(resource, drift, report, policy, () => jsm.streams.update(streamName, { ...info.config, ...expected }));
}
