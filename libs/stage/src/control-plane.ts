import type { KV } from '@nats-io/kv';
import type { Bus } from '@paperline/bus';
import { Buckets, ControlKeys, FEATURES, STAGES, type FeatureName, type StageName } from '@paperline/contracts';
import type { Logger } from '@paperline/telemetry';

/** One flag of `pl-control`, parsed; `value` undefined means the key was deleted (back to the default). */
export type ControlChange =
  | { kind: 'paused'; stage: StageName; value: boolean | undefined; revision: number }
  | { kind: 'concurrency'; stage: StageName; value: number | undefined; revision: number }
  | { kind: 'batchSize'; stage: StageName; value: number | undefined; revision: number }
  | { kind: 'feature'; feature: FeatureName; value: boolean | undefined; revision: number };

export interface StageFlags {
  paused: boolean;
  concurrency: number | undefined;
  batchSize: number | undefined;
}

export interface ControlWatch {
  stop(): void;
}

const encoder = new TextEncoder();
const positiveInt = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);

/** Parses a `pl-control` key and its JSON value; unknown keys and malformed values give undefined. */
export function parseControlEntry(key: string, value: Uint8Array | undefined, revision: number): ControlChange | undefined {
  const [scope, name, flag] = key.split('.');
  let json: unknown;
  if (value && value.length > 0) {
    try {
      json = JSON.parse(new TextDecoder().decode(value));
    } catch {
      return undefined;
    }
  }
  const deleted = json === undefined;
  if (scope === 'stage' && STAGES.includes(name as StageName)) {
    const stage = name as StageName;
    if (flag === 'paused') {
      const v = bool(json);
      return deleted || v !== undefined ? { kind: 'paused', stage, value: v, revision } : undefined;
    }
    if (flag === 'concurrency' || flag === 'batchSize') {
      const v = positiveInt(json);
      return deleted || v !== undefined ? { kind: flag, stage, value: v, revision } : undefined;
    }
  }
  if (scope === 'feature' && FEATURES.includes(name as FeatureName) && flag === 'enabled') {
    const v = bool(json);
    return deleted || v !== undefined ? { kind: 'feature', feature: name as FeatureName, value: v, revision } : undefined;
  }
  return undefined;
}

/** Reads, writes and watches the flags of KV `pl-control` (the CLI, layout routing, every stage runtime). */
export class ControlPlane {
  private constructor(private readonly kv: KV) {}

  static async open(bus: Bus): Promise<ControlPlane> {
    return new ControlPlane(await bus.kv(Buckets.control));
  }

  async setPaused(stage: StageName, paused: boolean): Promise<void> {
    await this.kv.put(ControlKeys.paused(stage), encoder.encode(JSON.stringify(paused)));
  }

  /** `undefined` removes the override, so the stage goes back to its configured value. */
  async setConcurrency(stage: StageName, value: number | undefined): Promise<void> {
    await this.putOrDelete(ControlKeys.concurrency(stage), value);
  }

  async setBatchSize(stage: StageName, value: number | undefined): Promise<void> {
    await this.putOrDelete(ControlKeys.batchSize(stage), value);
  }

  async setFeature(feature: FeatureName, enabled: boolean): Promise<void> {
    await this.kv.put(ControlKeys.featureEnabled(feature), encoder.encode(JSON.stringify(enabled)));
  }

  async stageFlags(stage: StageName): Promise<StageFlags> {
    const [paused, concurrency, batchSize] = await Promise.all([
      this.read(ControlKeys.paused(stage)),
      this.read(ControlKeys.concurrency(stage)),
      this.read(ControlKeys.batchSize(stage)),
    ]);
    return { paused: paused?.kind === 'paused' && paused.value === true, concurrency: num(concurrency), batchSize: num(batchSize) };
  }

  async isPaused(stage: StageName): Promise<boolean> {
    return (await this.stageFlags(stage)).paused;
  }

  /** Every feature's flag; an absent flag means enabled. */
  async features(): Promise<Record<FeatureName, boolean>> {
    const entries = await Promise.all(FEATURES.map(async (f) => [f, await this.read(ControlKeys.featureEnabled(f))] as const));
    return Object.fromEntries(entries.map(([f, c]) => [f, !(c?.kind === 'feature' && c.value === false)])) as Record<FeatureName, boolean>;
  }

  /** Every stage's flags (the CLI's `status`). */
  async allStageFlags(): Promise<Record<StageName, StageFlags>> {
    const entries = await Promise.all(STAGES.map(async (s) => [s, await this.stageFlags(s)] as const));
    return Object.fromEntries(entries) as Record<StageName, StageFlags>;
  }

  /**
   * Calls `onChange` with the current value of every matching flag, then with each change, until
   * stopped. `keys` narrows the watch, e.g. `stage.ocr.>`.
   */
  async watch(onChange: (change: ControlChange) => void, options: { keys?: string; log?: Logger } = {}): Promise<ControlWatch> {
    const iterator = await this.kv.watch({ key: options.keys ?? '>' });
    void (async () => {
      try {
        for await (const entry of iterator) {
          const change = parseControlEntry(entry.key, entry.operation === 'PUT' ? entry.value : undefined, entry.revision);
          if (change) onChange(change);
          else options.log?.warn({ key: entry.key }, 'ignored a control flag with an unknown key or a malformed value');
        }
      } catch (error) {
        options.log?.warn({ err: error }, 'control watch ended');
      }
    })();
    return { stop: () => iterator.stop() };
  }

  private async read(key: string): Promise<ControlChange | undefined> {
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== 'PUT') return undefined;
    return parseControlEntry(key, entry.value, entry.revision);
  }

  private async putOrDelete(key: string, value: number | undefined): Promise<void> {
    if (value === undefined) await this.kv.delete(key);
    else await this.kv.put(key, encoder.encode(JSON.stringify(value)));
  }
}

function num(change: ControlChange | undefined): number | undefined {
  return change && (change.kind === 'concurrency' || change.kind === 'batchSize') ? change.value : undefined;
}
