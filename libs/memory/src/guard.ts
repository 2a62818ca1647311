// MemoryGuard: the last line of defence when predictions were wrong or something leaks. It reads
// a probe on a timer and escalates: warn (tell), critical (drop idle models), emergency (stop
// fetching, drop everything, dump evidence, and recycle the process if that did not help).
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import type { Bus } from '@paperline/bus';
import { MemoryEventSchema, SCHEMA_VERSION, Subjects, encode, type MemoryLevel } from '@paperline/contracts';
import { childLogger, silentLogger, type Logger, type Metrics } from '@paperline/telemetry';
import type { GuardActions, MemoryProbe, MemorySample } from './types.js';

export const DEFAULT_THRESHOLDS = { warn: 0.8, critical: 0.9, emergency: 0.95 } as const;
export const DEFAULT_GUARD_INTERVAL_MS = 5_000;
export const DEFAULT_GUARD_COOLDOWN_MS = 30_000;
export const DEFAULT_DUMP_DIR = join(tmpdir(), 'paperline-dumps');
const LEVEL_VALUE: Record<MemoryLevel, number> = { normal: 0, warn: 1, critical: 2, emergency: 3 };

export interface GuardThresholds {
  warn: number;
  critical: number;
  emergency: number;
}

export interface MemoryGuardOptions {
  actions: GuardActions;
  probe: MemoryProbe;
  /** The sample watched (e.g. `cpu@node` for the process probe). */
  device: string;
  /** Usage is measured against this: the device budget, or the device total. */
  limitBytes: number;
  /** Fractions of limitBytes. @default { warn: 0.8, critical: 0.9, emergency: 0.95 } */
  thresholds?: Partial<GuardThresholds>;
  /** @default 5_000 */
  intervalMs?: number;
  /** Pause after a recovery action before acting again (and before judging an emergency). @default 30_000 */
  cooldownMs?: number;
  /** Heap snapshots and JSON memory reports go here. @default <tmpdir>/paperline-dumps */
  dumpDir?: string;
  /** A heap snapshot stops the process for a while and needs about the heap's size again. @default true */
  heapSnapshot?: boolean;
  /** Extra state for the memory report (models, leases). */
  report?: () => Record<string, unknown>;
  stage: string;
  instance: string;
  /** Events go to `pl.events.memory.<level>` when given. */
  bus?: Bus;
  log?: Logger;
  metrics?: Metrics;
}

export interface GuardCheck {
  level: MemoryLevel;
  usedBytes: number;
  limitBytes: number;
  action: string;
  dumps?: string[];
}

export class MemoryGuard {
  private readonly thresholds: GuardThresholds;
  private readonly intervalMs: number;
  private readonly cooldownMs: number;
  private readonly dumpDir: string;
  private readonly log: Logger;
  private cooldownUntil = 0;
  private level: MemoryLevel = 'normal';
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private checking: Promise<GuardCheck> | undefined;

  constructor(private readonly options: MemoryGuardOptions) {
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
    const { warn, critical, emergency } = this.thresholds;
    if (!(warn > 0 && warn <= critical && critical <= emergency)) throw new RangeError(`memory thresholds must satisfy 0 < warn <= critical <= emergency, got ${warn}/${critical}/${emergency}`);
    this.intervalMs = options.intervalMs ?? DEFAULT_GUARD_INTERVAL_MS;
    this.cooldownMs = options.cooldownMs ?? DEFAULT_GUARD_COOLDOWN_MS;
    this.dumpDir = options.dumpDir ?? DEFAULT_DUMP_DIR;
    this.log = childLogger(options.log ?? silentLogger(), { component: 'memory-guard', device: options.device });
  }

  get currentLevel(): MemoryLevel {
    return this.level;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Stops the loop. A check in progress finishes on its own (it may be the one recycling us). */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** One reading and whatever it calls for. The monitor loop calls this; tests may too. */
  check(): Promise<GuardCheck> {
    this.checking ??= this.runCheck().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.check()
        .catch((error: unknown) => this.log.error({ err: error }, 'memory check failed'))
        .finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  private async read(): Promise<number> {
    const sample: MemorySample | undefined = (await this.options.probe.sample()).find((s) => s.device === this.options.device);
    return sample ? (sample.processBytes ?? sample.usedBytes) : 0;
  }

  private levelOf(usedBytes: number): MemoryLevel {
    const ratio = usedBytes / this.options.limitBytes;
    if (ratio >= this.thresholds.emergency) return 'emergency';
    if (ratio >= this.thresholds.critical) return 'critical';
    if (ratio >= this.thresholds.warn) return 'warn';
    return 'normal';
  }

  private async runCheck(): Promise<GuardCheck> {
    const usedBytes = await this.read();
    const level = this.levelOf(usedBytes);
    const previous = this.level;
    this.setLevel(level);
    const base = { level, usedBytes, limitBytes: this.options.limitBytes };
    if (Date.now() < this.cooldownUntil) return { ...base, action: 'cooldown' };
    switch (level) {
      case 'normal':
        if (previous !== 'normal') await this.publish(level, usedBytes, 'recovered');
        return { ...base, action: 'none' };
      case 'warn':
        if (previous !== 'warn') {
          this.log.warn(base, 'memory pressure: warn');
          await this.publish(level, usedBytes, 'warned');
        }
        return { ...base, action: 'warned' };
      case 'critical': {
        const unloaded = await this.options.actions.unloadIdle();
        this.log.warn({ ...base, unloaded }, 'memory pressure: critical, unloaded idle models');
        await this.publish(level, usedBytes, `unloaded ${unloaded} idle models`);
        this.cooldownUntil = Date.now() + this.cooldownMs;
        return { ...base, action: 'unload_idle' };
      }
      case 'emergency':
        return this.emergency(usedBytes);
    }
  }

  /** Stop fetching, drop every model, keep evidence; if that was not enough, recycle the process. */
  private async emergency(usedBytes: number): Promise<GuardCheck> {
    const reason = `memory emergency: ${usedBytes} of ${this.options.limitBytes} bytes`;
    this.log.error({ usedBytes, limitBytes: this.options.limitBytes }, 'memory pressure: emergency');
    await this.publish('emergency', usedBytes, 'suspend and unload all');
    await this.step('suspend', () => this.options.actions.suspend(reason));
    await this.step('unloadAll', () => this.options.actions.unloadAll());
    const dumps = await this.writeDumps(usedBytes, reason);
    await new Promise((resolve) => setTimeout(resolve, this.cooldownMs));
    const after = await this.read();
    this.cooldownUntil = Date.now() + this.cooldownMs;
    if (this.levelOf(after) === 'critical' || this.levelOf(after) === 'emergency') {
      this.log.error({ usedBytes: after }, 'memory still high after the cooldown; recycling the process');
      await this.publish('emergency', after, 'recycle');
      await this.step('recycle', () => this.options.actions.recycle(`${reason}; still ${after} bytes after unloading`));
      return { level: 'emergency', usedBytes: after, limitBytes: this.options.limitBytes, action: 'recycle', dumps };
    }
    this.setLevel(this.levelOf(after));
    this.log.warn({ usedBytes: after }, 'memory recovered after the emergency; resuming');
    await this.step('resume', () => this.options.actions.resume());
    return { level: this.level, usedBytes: after, limitBytes: this.options.limitBytes, action: 'resumed', dumps };
  }

  private async writeDumps(usedBytes: number, reason: string): Promise<string[]> {
    const stamp = `${this.options.instance}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const written: string[] = [];
    try {
      await mkdir(this.dumpDir, { recursive: true });
      const reportPath = join(this.dumpDir, `${stamp}.memory.json`);
      const report = {
        at: new Date().toISOString(),
        reason,
        stage: this.options.stage,
        instance: this.options.instance,
        device: this.options.device,
        usedBytes,
        limitBytes: this.options.limitBytes,
        thresholds: this.thresholds,
        memoryUsage: process.memoryUsage(),
        resourceUsage: process.resourceUsage(),
        ...this.options.report?.(),
      };
      await writeFile(reportPath, JSON.stringify(report, null, 2));
      written.push(reportPath);
      if (this.options.heapSnapshot ?? true) written.push(writeHeapSnapshot(join(this.dumpDir, `${stamp}.heapsnapshot`)));
      this.log.error({ dumps: written }, 'memory dumps written');
    } catch (error) {
      this.log.error({ err: error, dumpDir: this.dumpDir }, 'could not write memory dumps');
    }
    return written;
  }

  private async step(name: string, fn: () => Promise<unknown> | unknown): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.log.error({ err: error, step: name }, 'memory guard action failed');
    }
  }

  private setLevel(level: MemoryLevel): void {
    this.level = level;
    this.options.metrics?.memoryPressure.set({ device: this.options.device }, LEVEL_VALUE[level]);
  }

  private async publish(level: MemoryLevel, usedBytes: number, action: string): Promise<void> {
    if (!this.options.bus) return;
    const event = {
      v: SCHEMA_VERSION,
      type: 'memory' as const,
      level,
      device: this.options.device,
      usedBytes,
      limitBytes: this.options.limitBytes,
      instance: this.options.instance,
      stage: this.options.stage,
      action,
      at: new Date().toISOString(),
    };
    try {
      await this.options.bus.publish(Subjects.memoryEvent(level), encode(MemoryEventSchema, event));
    } catch (error) {
      this.log.debug({ err: error }, 'memory event not published');
    }
  }
}
