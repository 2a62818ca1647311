// A stage instance's presence in KV `pl-instances`: a beat every few seconds with its backend and
// models, deleted when it stops. `paperline status` shows a stage `down` when no fresh beat exists.
import type { Bus } from '@paperline/bus';
import { Buckets, InstanceBeatSchema, InstanceKeys, SCHEMA_VERSION, encode, type InstanceBeat, type StageName } from '@paperline/contracts';
import type { Logger } from '@paperline/telemetry';
import type { StageDescription } from './types.js';

export const PRESENCE_INTERVAL_MS = 5_000;

export interface PresenceOptions {
  bus: Bus;
  stage: StageName;
  instance: string;
  node: string;
  describe: () => StageDescription | undefined;
  log: Logger;
  /** @default PRESENCE_INTERVAL_MS */
  intervalMs?: number;
}

export interface Presence {
  /** Stops beating and deletes the beat. */
  stop(): Promise<void>;
}

export async function startPresence(options: PresenceOptions): Promise<Presence> {
  const kv = await options.bus.kv(Buckets.instances);
  const key = InstanceKeys.instance(options.stage, options.instance);
  const intervalMs = options.intervalMs ?? PRESENCE_INTERVAL_MS;
  const startedAt = Date.now();
  const beat = async () => {
    const description = options.describe();
    const value: InstanceBeat = {
      v: SCHEMA_VERSION,
      stage: options.stage,
      instance: options.instance,
      node: options.node,
      pid: process.pid,
      startedAt,
      beatAt: Date.now(),
      intervalMs,
      backend: description?.backend ?? null,
      models: description?.models ?? [],
    };
    await kv.put(key, encode(InstanceBeatSchema, value));
  };
  await beat();
  let beating: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    beating = beat().catch((error: unknown) => options.log.debug({ err: error }, 'presence beat failed'));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await beating;
      await kv.delete(key).catch((error: unknown) => options.log.debug({ err: error }, 'presence delete failed'));
    },
  };
}
