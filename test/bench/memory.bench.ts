// npm run bench:memory [-- --model-mb 300 --instances 8 --rounds 20]
// (for settled RSS figures run with NODE_OPTIONS=--expose-gc)
// What the memory machinery costs, on a local nats-server:
//  1. ledger throughput: N instances doing reserve -> active -> idle -> release on one ledger
//     with room for half of them (compare-and-set conflicts included);
//  2. eviction hand-off: how long a reserve waits when another instance's idle model must go;
//  3. load / unload of a generated model of --model-mb: load time, peak RSS (VmHWM, reset before
//     each load), RSS while loaded after a run that read every weight, the footprint the manager
//     learned, RSS left after unload (measured in this process after the model file was written
//     and the writer's memory freed);
//  4. the PP-OCR models: CPU time per run as published, simplified with the weights inline, and
//     simplified with the weights mapped from the file (what OnnxSessionFactory loads).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { Bus } from '@paperline/bus';
import { Buckets } from '@paperline/contracts';
import { DeviceBudgets, HostProbe, MemoryBudget } from '@paperline/memory';
import * as ort from 'onnxruntime-node';
import { DEFAULT_MANIFEST_PATH, Manifest, ModelManager } from '@paperline/models';
import { prepareModelFile } from '@paperline/onnx-graph';
import { largeModel, startTestServer, writeOnnxModel } from '@paperline/testing';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MODEL_MB = arg('model-mb', 300);
const INSTANCES = arg('instances', 8);
const ROUNDS = arg('rounds', 20);
const MB = 1_000_000;

const server = await startTestServer();
const buses: Bus[] = [];
const connect = async () => {
  const bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
  buses.push(bus);
  return bus;
};
await new Kvm((await connect()).nc).create(Buckets.memory, { history: 1 });
const results: Record<string, unknown> = { node: process.version, modelMb: MODEL_MB, instances: INSTANCES, rounds: ROUNDS };

// 1. ledger throughput under contention
{
  const budgets = await Promise.all(
    Array.from({ length: INSTANCES }, async (_, i) => MemoryBudget.open({ bus: await connect(), device: 'cpu@bench', stage: 'ocr', instance: `bench-${i}`, capacityBytes: Math.ceil(INSTANCES / 2) * 100 * MB, reserveTimeoutMs: 60_000 })),
  );
  const started = performance.now();
  await Promise.all(
    budgets.map(async (b, i) => {
      for (let r = 0; r < ROUNDS; r += 1) {
        const id = await b.reserve(`m${i}`, 100 * MB);
        await b.setState(id, 'active');
        await b.setState(id, 'idle');
        await b.release(id);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cycles = INSTANCES * ROUNDS;
  results['ledger'] = { cycles, writes: cycles * 4, seconds: round(seconds), cyclesPerSecond: round(cycles / seconds), writesPerSecond: round((cycles * 4) / seconds) };
  for (const b of budgets) await b.close();
}

// 2. eviction hand-off between two instances
{
  const a = await MemoryBudget.open({ bus: await connect(), device: 'cpu@handoff', stage: 'ocr', instance: 'a', capacityBytes: 100 * MB });
  const b = await MemoryBudget.open({ bus: await connect(), device: 'cpu@handoff', stage: 'table', instance: 'b', capacityBytes: 100 * MB });
  a.onEvict((request) => a.release(request.leaseId));
  b.onEvict((request) => b.release(request.leaseId));
  const waits: number[] = [];
  for (let r = 0; r < ROUNDS; r += 1) {
    const [holder, taker] = r % 2 === 0 ? [a, b] : [b, a];
    const held = await holder.reserve('m', 80 * MB);
    await holder.setState(held, 'idle');
    const started = performance.now();
    const taken = await taker.reserve('m', 80 * MB);
    waits.push(performance.now() - started);
    await taker.setState(taken, 'idle');
    await taker.release(taken);
  }
  waits.sort((x, y) => x - y);
  results['evictionHandoffMs'] = { p50: round(waits[Math.floor(waits.length / 2)] ?? 0), max: round(waits[waits.length - 1] ?? 0) };
  await a.close();
  await b.close();
}

// 3. load / unload of a large model
{
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-models-'));
  writeOnnxModel(join(dir, 'big.onnx'), largeModel({ bytes: MODEL_MB * MB, sums: true }));
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const manifest = Manifest.from({ models: [{ id: 'big', stage: 'ocr', task: 'bench', files: [{ path: 'big.onnx' }], license: 'Apache-2.0', source: 'generated', memoryEstimateBytes: Math.round(MODEL_MB * 1.1 * MB), devices: ['cpu'] }] }, { modelsDir: dir });
  const bus = await connect();
  const budgets = new DeviceBudgets({ bus, stage: 'ocr', instance: 'bench-load', capacity: { cpu: { fraction: 0.9 }, gpu: { fraction: 0.9 } }, probes: [new HostProbe('bench')] });
  const manager = new ModelManager({ manifest, stage: 'ocr', instance: 'bench-load', node: 'bench', budgets, providers: ['cpu'], idleTimeoutMs: 0, verifyChecksums: false });
  const peakRss = () => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
  const settled = async () => {
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 300));
    return process.memoryUsage().rss;
  };
  const cycles: Array<{ loadMs: number; unloadMs: number; peakMb: number; loadedMb: number; footprintMb: number; leftMb: number }> = [];
  const before = await settled();
  // cycle 0 is a warm-up (onnxruntime's first session sets up its threads); it is not reported
  for (let r = 0; r < 4; r += 1) {
    writeFileSync('/proc/self/clear_refs', '5');
    let started = performance.now();
    const handle = await manager.acquire('big');
    const loadMs = performance.now() - started;
    const footprint = manager.status()[0]?.bytes ?? 0;
    await (handle.session as ort.InferenceSession).run({ ids: new ort.Tensor('int64', BigInt64Array.from([0n]), [1]), axes: new ort.Tensor('int64', BigInt64Array.from([0n]), [1]) });
    const loaded = await settled();
    const peak = peakRss();
    handle.release();
    started = performance.now();
    await manager.unload('big');
    const unloadMs = performance.now() - started;
    const left = await settled();
    if (r > 0) cycles.push({ loadMs: round(loadMs), unloadMs: round(unloadMs), peakMb: round((peak - before) / MB), loadedMb: round((loaded - before) / MB), footprintMb: round(footprint / MB), leftMb: round((left - before) / MB) });
  }
  results['largeModel'] = cycles;
  await manager.teardown();
  rmSync(dir, { recursive: true, force: true });
}

// 4. PP-OCR models: the simplification's speed-up with the weights inline and mapped
{
  const manifest = await Manifest.load(DEFAULT_MANIFEST_PATH);
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1 };
  const runs = 25;
  const speed: Record<string, Record<string, string>> = {};
  for (const [id, dims] of [
    ['ppocr-rec-ch-v4', [8, 3, 48, 320]],
    ['ppocr-det-ch-v4', [1, 3, 640, 640]],
  ] as const) {
    const [file] = await manifest.resolveFiles(manifest.get(id));
    const inline = prepareModelFile(file!, { minExternalBytes: Number.POSITIVE_INFINITY });
    const mapped = prepareModelFile(file!);
    const sessions = {
      published: await ort.InferenceSession.create(file!, options),
      simplifiedInline: await ort.InferenceSession.create(inline.bytes, options),
      simplifiedMapped: await ort.InferenceSession.create(mapped.bytes, { ...options, extra: { session: { model_external_initializers_file_folder_path: mapped.dir } } }),
    };
    const data = Float32Array.from({ length: dims.reduce((a: number, b: number) => a * b, 1) }, (_, i) => Math.sin(i));
    const cpuMs: Record<string, number[]> = { published: [], simplifiedInline: [], simplifiedMapped: [] };
    for (const session of Object.values(sessions)) await session.run({ x: new ort.Tensor('float32', data, [...dims]) });
    // CPU time (one intra-op thread) rather than wall time: on a shared machine it is what the run itself costs
    for (let r = 0; r < runs; r += 1) {
      for (const [name, session] of Object.entries(sessions)) {
        const started = process.cpuUsage();
        await session.run({ x: new ort.Tensor('float32', data, [...dims]) });
        const used = process.cpuUsage(started);
        cpuMs[name]!.push((used.user + used.system) / 1000);
      }
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const published = median(cpuMs['published']!);
    speed[id] = Object.fromEntries(Object.entries(cpuMs).map(([name, values]) => [name, `${round(median(values))} ms (${round(published / median(values))}x)`]));
    for (const session of Object.values(sessions)) await session.release();
  }
  results['pp-ocr cpu ms per run (median of 25)'] = speed;
}

console.log(JSON.stringify(results, null, 2));
for (const bus of buses) await bus.close();
await server.stop();

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
