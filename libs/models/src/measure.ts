// Footprint measurement: the memory delta across one session creation. Loads in one process
// are serialised around the measurement, so each delta belongs to one model.
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
