// Public contracts of the memory lib. Implementations live in their own files.
import type { DeviceId } from './device.js';

/** One reading of one device, in bytes. */
export interface MemorySample {
  device: DeviceId;
  /** Memory in use on the device (whole host or GPU; for the process probe, this process's RSS). */
  usedBytes: number;
  totalBytes: number;
  /** What this process holds on the device, when the probe can tell. */
  processBytes?: number;
  /** Probe-specific figures (rss, heapUsed, external, arrayBuffers, ...). */
  details?: Record<string, number>;
}

/** A source of memory readings. Every implementation passes the conformance suite in probes.test.ts. */
export interface MemoryProbe {
  readonly name: string;
  /** Never throws for a missing device or tool: it returns no sample for it. */
  sample(): Promise<MemorySample[]>;
}

/** What the guard may ask of the process it watches (wired to the stage runtime and ModelManager). */
export interface GuardActions {
  /** Stop fetching new work. */
  suspend(reason: string): Promise<void> | void;
  resume(): Promise<void> | void;
  /** Unloads models nobody is using; returns how many. */
  unloadIdle(): Promise<number>;
  unloadAll(): Promise<void>;
  /** Drain and exit 75 so the supervisor starts a fresh process. */
  recycle(reason: string): Promise<void> | void;
}
