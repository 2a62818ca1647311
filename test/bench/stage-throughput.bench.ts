// Stage runtime benchmark (npm run bench:stage). Starts its own nats-server and prints:
// (1) messages/s through a no-op stage (publish -> stage, which publishes one output per input
//     and awaits its PubAck -> ack), batch 32; (2) in the same run the raw ceiling of a plain
//     nats.js consume-and-ack loop, and the ratio; (3) p50/p99 latency at 1,000 msg/s offered.
// Env: BENCH_N (messages per throughput run, default 50_000), BENCH_INFLIGHT (batches in flight, default 16:
// a no-op stage mostly waits for PubAcks, so its throughput follows how many messages it holds; 16 batches of 32
// hold up to 544, still fewer than the raw loop's 1,000; 4 measured 0.46-0.50 of raw, 16 0.58-0.60),
// BENCH_ROUNDS (stage and raw runs, alternating, after one unreported warm-up pair; medians are reported; default 5).
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { Streams, Subjects, consumerName } from '@paperline/contracts';
import { startLocalServer } from '@paperline/nats-server';
import { StageRuntime, type JobOutcome, type StageHandler } from '@paperline/stage';
import { publishMany, RAW_HELD, rawLoopRate } from './raw-loop.js';
import { percentile } from './stats.js';

const N = Number(process.env['BENCH_N'] ?? 50_000);
const INFLIGHT = Number(process.env['BENCH_INFLIGHT'] ?? 16);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const BATCH = 32;
const OUT = Subjects.work('assemble', 'normal');

function noopStage(tag: string): StageHandler<Uint8Array> {
  return {
    stage: 'layout',
    decode: (data) => data,
    async handleBatch(batch): Promise<JobOutcome[]> {
      return batch.map((m) => ({ outputs: [{ subject: OUT, data: m.data, msgId: `${tag}:${m.streamSequence}` }] }));
    },
  };
}

async function pending(bus: Bus, stage: 'layout' | 'ocr'): Promise<number> {
  const info = await bus.jsm.consumers.info(Streams.work, consumerName(stage, 'normal'));
  return info.num_pending + info.num_ack_pending;
}

async function purgeOutputs(bus: Bus): Promise<void> {
  await bus.jsm.streams.purge(Streams.work, { filter: 'pl.work.assemble.>' });
}

async function stageThroughput(bus: Bus, run: number): Promise<number> {
  await publishMany(bus, Subjects.work('layout', 'normal'), N, `in${run}`);
  const runtime = new StageRuntime(noopStage(`out${run}`), { stage: 'layout', batchSize: BATCH, maxInflightBatches: INFLIGHT, lagPollMs: 0, controlWatch: false }, { bus });
  const started = performance.now();
  await runtime.start();
  while ((await pending(bus, 'layout')) > 0) await new Promise((r) => setTimeout(r, 10));
  const seconds = (performance.now() - started) / 1_000;
  await runtime.close();
  await purgeOutputs(bus);
  return N / seconds;
}

function rawCeiling(bus: Bus, run: number): Promise<number> {
  return rawLoopRate(bus, { stream: Streams.work, consumer: consumerName('ocr', 'normal'), subject: Subjects.work('ocr', 'normal') }, N, `raw${run}`);
}

/** Input publish -> output seen by a core subscriber, at `rate` msg/s for `seconds`. */
async function latency(bus: Bus, maxBatchWaitMs: number | undefined, throughStage: boolean, rate = 1_000, seconds = 5): Promise<{ p50: number; p99: number; n: number }> {
  const input = Subjects.work(throughStage ? 'layout' : 'ocr', 'normal');
  const watch = throughStage ? OUT : input;
  const sent = new Map<string, number>();
  const samples: number[] = [];
  const sub = bus.nc.subscribe(watch, {
    callback: (_e, msg) => {
      const at = sent.get(msg.string());
      if (at !== undefined) samples.push(performance.now() - at);
    },
  });
  const runtime = throughStage
    ? new StageRuntime(noopStage(`lat${maxBatchWaitMs}`), { stage: 'layout', batchSize: BATCH, maxInflightBatches: INFLIGHT, maxBatchWaitMs, lagPollMs: 0, controlWatch: false }, { bus })
    : undefined;
  await runtime?.start();
  const total = rate * seconds;
  const tick = 10;
  const perTick = (rate * tick) / 1_000;
  let i = 0;
  const started = performance.now();
  while (i < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1_000) * rate) + perTick);
    const publishes: Array<Promise<unknown>> = [];
    for (; i < due; i++) {
      const body = `lat-${maxBatchWaitMs}-${throughStage}-${i}`;
      sent.set(body, performance.now());
      publishes.push(bus.publish(input, new TextEncoder().encode(body), { msgId: body }));
    }
    await Promise.all(publishes);
    await new Promise((r) => setTimeout(r, tick));
  }
  const deadline = performance.now() + 10_000;
  while (samples.length < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  sub.unsubscribe();
  await runtime?.close();
  if (!throughStage) await bus.jsm.streams.purge(Streams.work, { filter: input });
  await purgeOutputs(bus);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), n: samples.length };
}

const server = await startLocalServer();
const bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
try {
  await provisionTopology(bus.nc, buildTopology({ maxAckPending: 10_000 }));
  console.log(`stage throughput benchmark: ${N} messages, batch ${BATCH}, ${INFLIGHT} batches in flight, nats-server ${server.version}`);
  // the runtime holds a batch beyond those in flight (StageRuntime's fetch capacity)
  console.log(`messages held at most: stage ${BATCH * (INFLIGHT + 1)}, raw loop ${RAW_HELD}`);
  // alternating runs: a shared machine's load drifts, and both sides should see the same drift
  // the first pair runs on code V8 has not optimised yet (it measured 10-25% below the rest)
  await stageThroughput(bus, 0);
  await rawCeiling(bus, 0);
  const stages: number[] = [];
  const raws: number[] = [];
  for (let run = 1; run <= ROUNDS; run++) {
    stages.push(await stageThroughput(bus, run));
    raws.push(await rawCeiling(bus, run));
  }
  const rate = (x: number) => Math.round(x).toLocaleString('en');
  const runs = (xs: number[]) => xs.map(rate).join(', ');
  const [stage, raw] = [percentile(stages, 50), percentile(raws, 50)];
  const ratios = stages.map((s, i) => (s / raws[i]!).toFixed(2)).join(', ');
  console.log(`(1) no-op stage (publish output + PubAck + ack): median ${rate(stage)} msg/s  (runs: ${runs(stages)})`);
  console.log(`(2) raw nats.js consume + ack loop:             median ${rate(raw)} msg/s  (runs: ${runs(raws)})`);
  console.log(`    stage/raw: ${(stage / raw).toFixed(2)} of the medians; per run: ${ratios}`);
  const floor = await latency(bus, undefined, false);
  const waited = await latency(bus, undefined, true);
  const eager = await latency(bus, 0, true);
  const fmt = (l: { p50: number; p99: number; n: number }) => `p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms (${l.n} samples)`;
  console.log(`(3) latency at 1,000 msg/s offered, input publish -> output seen:`);
  console.log(`    floor (JetStream publish -> core subscriber, no stage): ${fmt(floor)}`);
  console.log(`    through the stage, maxBatchWaitMs 20 (default):        ${fmt(waited)}`);
  console.log(`    through the stage, maxBatchWaitMs 0:                   ${fmt(eager)}`);
  console.log(`    stage adds (p50, wait 0): ${(eager.p50 - floor.p50).toFixed(2)} ms; (p50, wait 20): ${(waited.p50 - floor.p50).toFixed(2)} ms`);
} finally {
  await bus.close();
  await server.stop();
}
