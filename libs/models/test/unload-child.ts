// Child process for "model memory matches the weights": loads and unloads a large generated
// model a few times through a ModelManager and reports, per cycle and against the RSS before the
// first load: the peak (VmHWM, reset before each load), the settled RSS while loaded (after a run
// that read every weight), the RSS after unload, and the footprint the manager measured.
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import * as ort from 'onnxruntime-node';
import { Bus } from '@paperline/bus';
import { DeviceBudgets, FootprintStore, HostProbe } from '@paperline/memory';
import { Manifest, ModelManager } from '../src/index.js';

const [url, manifestPath, cyclesArg] = process.argv.slice(2);
const bus = await Bus.connect({ servers: url ?? '', waitOnFirstConnect: false });
const manifest = await Manifest.load(manifestPath ?? '');
const budgets = new DeviceBudgets({ bus, stage: 'ocr', instance: `unload-${process.pid}`, capacity: { cpu: { bytes: 2e9 }, gpu: { fraction: 0.9 } }, probes: [new HostProbe('test')] });
const manager = new ModelManager({ manifest, stage: 'ocr', instance: `unload-${process.pid}`, node: 'test', budgets, providers: ['cpu'], idleTimeoutMs: 0, footprints: await FootprintStore.open(bus), verifyChecksums: false });
const rss = () => process.memoryUsage().rss;
/** The peak RSS since the last resetPeak (Linux: VmHWM). */
const peakRss = () => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
// "5" resets VmHWM to the current RSS (proc(5), /proc/pid/clear_refs)
const resetPeak = () => writeFileSync('/proc/self/clear_refs', '5');
/** Stability of a settled RSS: two reads this far apart and this close. */
const SETTLE_STEP_MS = 100;
const SETTLE_TOLERANCE = 2_000_000;
const SETTLE_DEADLINE_MS = 15_000;
/**
 * RSS once freeing is over: collect, then read until two reads agree (or `enough` holds) rather
 * than after a fixed pause, which a busy machine outlasts (freed pages come back late there).
 */
const settle = async (enough: (bytes: number) => boolean = () => false): Promise<number> => {
  const deadline = Date.now() + SETTLE_DEADLINE_MS;
  let last = Number.POSITIVE_INFINITY;
  for (;;) {
    global.gc?.();
    await sleep(SETTLE_STEP_MS);
    const now = rss();
    if (enough(now) || Math.abs(now - last) <= SETTLE_TOLERANCE || Date.now() > deadline) return now;
    last = now;
  }
};
const before = await settle();
const cycles: Array<{ peak: number; settled: number; unloaded: number; footprint: number }> = [];
for (let i = 0; i < Number(cyclesArg ?? 3); i += 1) {
  resetPeak();
  const handle = await manager.acquire('big');
  const footprint = manager.status().find((m) => m.model === 'big')?.bytes ?? 0;
  const feeds = { ids: new ort.Tensor('int64', BigInt64Array.from([0n, 1n]), [2]), axes: new ort.Tensor('int64', BigInt64Array.from([0n]), [1]) };
  const out = await (handle.session as ort.InferenceSession).run(feeds);
  if (out['rows']?.dims[1] !== 256 || out['sums']?.dims[1] !== 256) throw new Error('unexpected output');
  const settled = await settle();
  const peak = peakRss();
  handle.release();
  await manager.unload('big');
  const after = await settle((bytes) => bytes - before <= Number(process.env['PL_UNLOAD_TOLERANCE_BYTES'] ?? 0));
  cycles.push({ peak: peak - before, settled: settled - before, unloaded: after - before, footprint });
}
const learned = await (await FootprintStore.open(bus)).get('big', 'cpu@test');
process.stdout.write(`${JSON.stringify({ before, cycles, footprint: learned })}\n`);
await manager.teardown();
await bus.close();
