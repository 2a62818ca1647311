// nvidia-smi is the one portable way to read GPU memory without native bindings. Its CSV output
// varies (N/A, [Not Supported], units despite nounits, blank lines), so parsing is defensive.
import { execFile } from 'node:child_process';

const MIB = 1024 * 1024;
const UNITS: Record<string, number> = { b: 1, kib: 1024, mib: MIB, gib: 1024 * MIB, kb: 1000, mb: 1e6, gb: 1e9 };

export interface GpuReading {
  index: number;
  usedBytes: number;
  totalBytes: number;
}

export interface GpuProcessReading {
  pid: number;
  usedBytes: number;
}

/** A memory figure in MiB (nvidia-smi's unit), or with an explicit unit; undefined for N/A and the like. */
export function parseMemoryValue(raw: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?i?b)?$/i.exec(raw.trim());
  if (!match) return undefined;
  const unit = match[2] ? UNITS[match[2].toLowerCase()] : MIB;
  return unit === undefined ? undefined : Math.round(Number(match[1]) * unit);
}

function rows(csv: string): string[][] {
  return csv
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => line.split(',').map((field) => field.trim()));
}

/** Parses `--query-gpu=index,memory.used,memory.total --format=csv,noheader,nounits`. */
export function parseGpuQuery(csv: string): GpuReading[] {
  const readings: GpuReading[] = [];
  for (const [index, used, total] of rows(csv)) {
    if (index === undefined || used === undefined || total === undefined || !/^\d+$/.test(index)) continue;
    const usedBytes = parseMemoryValue(used);
    const totalBytes = parseMemoryValue(total);
    if (usedBytes === undefined || totalBytes === undefined) continue;
    readings.push({ index: Number(index), usedBytes, totalBytes });
  }
  return readings;
}

/** Parses `--query-compute-apps=pid,used_memory --format=csv,noheader,nounits`. */
export function parseComputeApps(csv: string): GpuProcessReading[] {
  const readings: GpuProcessReading[] = [];
  for (const [pid, used] of rows(csv)) {
    if (pid === undefined || used === undefined || !/^\d+$/.test(pid)) continue;
    const usedBytes = parseMemoryValue(used);
    if (usedBytes !== undefined) readings.push({ pid: Number(pid), usedBytes });
  }
  return readings;
}

export interface NvidiaSmiOptions {
  /** @default 'nvidia-smi' (looked up on PATH) */
  binary?: string;
  /** @default 5000 */
  timeoutMs?: number;
}

/** Runs nvidia-smi; undefined when the binary is missing, fails or hangs (no GPU as far as we can tell). */
export function runNvidiaSmi(args: string[], options: NvidiaSmiOptions = {}): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(options.binary ?? 'nvidia-smi', args, { timeout: options.timeoutMs ?? 5_000, encoding: 'utf8' }, (error, stdout) => {
      resolve(error ? undefined : stdout);
    });
  });
}

export const GPU_QUERY_ARGS = ['--query-gpu=index,memory.used,memory.total', '--format=csv,noheader,nounits'];
export const COMPUTE_APPS_ARGS = ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'];
