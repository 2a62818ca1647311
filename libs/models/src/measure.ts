// Footprint measurement: the memory delta across one session creation. Loads in one process
// are serialised around the measurement, so each delta belongs to one model.
import { readFile, realpath } from 'node:fs/promises';
import { GpuProbe, parseDevice } from '@paperline/memory';

let chain: Promise<unknown> = Promise.resolve();

/** Runs fn after every earlier load of this process has finished. */
export function serializeLoad<T>(fn: () => Promise<T>): Promise<T> {
  const run = chain.then(fn, fn);
  chain = run.catch(() => undefined);
  return run;
}

/** What this process holds on the device: RSS for cpu, its nvidia-smi compute-app memory for a GPU. */
export async function measureDevice(device: string, nvidiaSmi?: string): Promise<number> {
  const parsed = parseDevice(device);
  if (parsed.kind === 'cpu') return process.memoryUsage().rss;
  const samples = await new GpuProbe(parsed.node, { binary: nvidiaSmi }).sample();
  return samples.find((s) => s.device === device)?.processBytes ?? 0;
}

const KIB = 1024;
const MAPPING = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s+(.*)$/;

/**
 * Bytes of these files that this process has mapped but not read in yet. onnxruntime maps a
 * model's weights from its file (see session-factory.ts) and their pages become resident as the
 * first runs read them, so a footprint taken right after the load adds these to the RSS delta:
 * what the model holds once it has run. Linux only (/proc/self/smaps); 0 elsewhere.
 */
export async function mappedNotResident(files: readonly string[]): Promise<number> {
  let smaps: string;
  try {
    smaps = await readFile('/proc/self/smaps', 'utf8');
  } catch {
    return 0;
  }
  const paths = new Set(await Promise.all(files.map((f) => realpath(f).catch(() => f))));
  let pending = 0;
  let current = false;
  let size = 0;
  for (const line of smaps.split('\n')) {
    const mapping = MAPPING.exec(line);
    if (mapping) {
      current = paths.has(mapping[1] ?? '');
      size = 0;
    } else if (current && line.startsWith('Size:')) size = Number.parseInt(line.slice(5), 10) * KIB;
    else if (current && line.startsWith('Rss:')) pending += Math.max(0, size - Number.parseInt(line.slice(4), 10) * KIB);
  }
  return pending;
}
