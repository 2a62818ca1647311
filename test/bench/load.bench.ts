// npm run bench:load [-- --seconds 60] [--clients 50] [--transport both|http|nats] [--poll-ms 250]
//                    [--sample-s 5] [--rss-growth-pct 10] [--raw-n 50000]
// Issue 13's load figures: --clients concurrent closed-loop clients for --seconds, through the HTTP
// gateway (API keys, one per client) and then through NATS (PaperlineClient: object store and the
// submit subject), against a real deployment on this machine: a nats-server, `paperline up` (one
// process per stage) and the gateway process. Documents: a 2-page born-digital PDF (a generated
// fixture) and a small page image (OCR), each client alternating. Prints completed documents,
// docs/s and pages/s, p50/p95/p99 end-to-end latency (submit to result read), errors by code, the
// RSS of every stage process, the gateway and nats-server every --sample-s with each one's max and
// final value, and whether it stayed bounded (the last third's max at most --rss-growth-pct above
// the first third's). The anchor, measured before and after in the same run on the same
// nats-server: the raw nats.js publish + consume/ack loop of bench:stage (test/bench/raw-loop.ts).
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { AckPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { Bus } from '@paperline/bus';
import { PaperlineClient } from '@paperline/client';
import { silentLogger } from '@paperline/telemetry';
import { runHttpLoad, runNatsLoad, type LoadResult } from '../load/clients.js';
import { loadDocuments } from '../load/documents.js';
import { startProcessPipeline } from '../load/processes.js';
import { rawLoopRate } from './raw-loop.js';
import { RssSeries } from './rss-series.js';
import { percentile } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    clients: { type: 'string', default: '50' },
    transport: { type: 'string', default: 'both' },
    'poll-ms': { type: 'string', default: '250' },
    'sample-s': { type: 'string', default: '5' },
    'rss-growth-pct': { type: 'string', default: '10' },
    'raw-n': { type: 'string', default: '50000' },
  },
});
const seconds = Number(flags.seconds);
const clients = Number(flags.clients);
const transport = flags.transport;
const pollMs = Number(flags['poll-ms']);
const sampleMs = Number(flags['sample-s']) * 1000;
const growth = Number(flags['rss-growth-pct']) / 100;
const rawN = Number(flags['raw-n']);
for (const name of ['seconds', 'clients', 'poll-ms', 'sample-s', 'rss-growth-pct', 'raw-n'] as const) {
  if (!(Number(flags[name]) > 0)) {
    console.error(`--${name} takes a positive number, not ${flags[name]}`);
    process.exit(2);
  }
}
if (!['both', 'http', 'nats'].includes(transport)) {
  console.error(`--transport takes both, http or nats, not ${transport}`);
  process.exit(2);
}
const RAW_ROUNDS = 3;
const RAW = { stream: 'BENCH_RAW', consumer: 'bench-raw', subject: 'bench.raw' };

async function rawRate(bus: Bus, round: string): Promise<number> {
  const rates: number[] = [];
  for (let i = 0; i < RAW_ROUNDS; i++) rates.push(await rawLoopRate(bus, RAW, rawN, `${round}-${i}`));
  return percentile(rates, 50);
}

const ms = (x: number) => `${x.toFixed(0)} ms`;
function latencies(values: number[]): string {
  if (values.length === 0) return 'none';
  return `p50 ${ms(percentile(values, 50))}  p95 ${ms(percentile(values, 95))}  p99 ${ms(percentile(values, 99))}  max ${ms(Math.max(...values))}`;
}
function counts(map: Map<string, number>): string {
  return map.size === 0 ? 'none' : [...map].map(([code, n]) => `${code} ${n}`).join(', ');
}

function report(name: string, result: LoadResult, raw: number): void {
  const window = result.completions.filter((c) => c.completedAtMs <= result.windowMs);
  const windowS = result.windowMs / 1000;
  const docsPerS = window.length / windowS;
  const pagesPerS = window.reduce((n, c) => n + c.pages, 0) / windowS;
  const kinds = [...new Set(result.completions.map((c) => c.kind))];
  console.log(`\n${name}: ${result.clients} clients for ${windowS.toFixed(0)} s (then ${((result.totalMs - result.windowMs) / 1000).toFixed(1)} s to finish what was in flight)`);
  console.log(`  submitted ${result.submitted}, completed ${result.completions.length} (${window.length} within the ${windowS.toFixed(0)} s: ${kinds.map((k) => `${k} ${window.filter((c) => c.kind === k).length}`).join(', ')})`);
  console.log(`  errors by code: ${counts(result.errors)}; submits refused for now (429, retried after Retry-After): ${counts(result.refusals)}`);
  console.log(`  throughput: ${docsPerS.toFixed(2)} docs/s, ${pagesPerS.toFixed(2)} pages/s  (${((docsPerS / raw) * 1e6).toFixed(1)} docs/s per million raw-loop msg/s)`);
  console.log(`  end-to-end latency, all ${result.completions.length}: ${latencies(result.completions.map((c) => c.latencyMs))}`);
  for (const kind of kinds) console.log(`    ${kind.padEnd(6)} ${latencies(result.completions.filter((c) => c.kind === kind).map((c) => c.latencyMs))}`);
}

const documents = await loadDocuments();
const pipeline = await startProcessPipeline({ keys: clients });
const bus = await Bus.connect({ servers: pipeline.natsUrl, name: 'bench-load-anchor', log: silentLogger(), waitOnFirstConnect: false });
let exitCode = 0;
try {
  console.log(`paperline bench:load  ${clients} clients, ${seconds} s per transport (${transport})  node ${process.version}  ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}`);
  console.log(`processes: ${Object.entries(pipeline.commands).map(([name, how]) => `${name} ${how}`).join(', ')}; HTTP clients poll their result every ${pollMs} ms`);

  await bus.jsm.streams.add({ name: RAW.stream, subjects: [RAW.subject], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
  await bus.jsm.consumers.add(RAW.stream, { durable_name: RAW.consumer, ack_policy: AckPolicy.Explicit });
  // a pipeline in service is warm: the OCR models loaded, V8 past its first documents
  const warm = await PaperlineClient.connect({ servers: pipeline.natsUrl, waitOnFirstConnect: false });
  for (const document of documents) {
    const begin = performance.now();
    const job = await warm.wait(await warm.submit(document.bytes, { fileName: document.fileName }), { timeoutMs: 300_000 });
    console.log(`warm-up ${document.kind} (${document.pages} pages, ${document.bytes.length} bytes): ${job.status} in ${ms(performance.now() - begin)}`);
  }
  await warm.close();
  const rawBefore = await rawRate(bus, 'before');
  console.log(`anchor: raw nats.js publish + consume/ack loop, ${rawN} messages, median of ${RAW_ROUNDS}: ${Math.round(rawBefore).toLocaleString('en')} msg/s`);

  const rss = new RssSeries(() => pipeline.pids(), sampleMs);
  rss.start();
  const runs: Array<[string, () => Promise<LoadResult>]> = [];
  const common = { clients, documents, seconds };
  if (transport !== 'nats') runs.push(['HTTP', () => runHttpLoad({ ...common, gatewayUrl: pipeline.gatewayUrl, keys: pipeline.keys, pollMs })]);
  if (transport !== 'http') runs.push(['NATS', () => runNatsLoad({ ...common, natsUrl: pipeline.natsUrl })]);
  const results: Array<[string, LoadResult]> = [];
  for (const [name, run] of runs) {
    rss.phase = name;
    results.push([name, await run()]);
  }
  rss.phase = 'after';
  rss.stop();
  const rawAfter = await rawRate(bus, 'after');
  console.log(`anchor after the run: ${Math.round(rawAfter).toLocaleString('en')} msg/s`);
  for (const [name, result] of results) report(name, result, (rawBefore + rawAfter) / 2);
  console.log(`  (docs/s per million raw-loop msg/s uses the mean of the anchor before and after: ${Math.round((rawBefore + rawAfter) / 2).toLocaleString('en')} msg/s)`);

  console.log(`\nRSS (MiB) every ${sampleMs / 1000} s, from /proc/<pid>/status VmRSS:`);
  console.log(rss.table());
  console.log('\nRSS per process over the run (MiB):');
  console.log(rss.summary(growth));
  // nats-server holds what the run stored (documents, outputs, job records, events: kept for days by
  // design), so its growth is reported beside the store's size rather than judged with paperline's own
  const unbounded = rss.verdicts(growth).filter((v) => !v.bounded && v.name !== 'nats-server');
  console.log(`RSS bounded (stages and gateway): ${unbounded.length === 0 ? 'yes, every process' : `NO: ${unbounded.map((v) => v.name).join(', ')}`}`);
  let storedBytes = 0;
  let storedMessages = 0;
  for await (const info of bus.jsm.streams.list()) {
    if (info.config.name === RAW.stream) continue;
    storedBytes += info.state.bytes;
    storedMessages += info.state.messages;
  }
  console.log(`JetStream store after the run: ${storedMessages.toLocaleString('en')} messages, ${(storedBytes / 2 ** 20).toFixed(1)} MiB (inputs, outputs, job records, events)`);
  const exits = pipeline.stageExits();
  console.log(`stage exits during the run: ${exits.length === 0 ? 'none' : `${exits.length}\n${exits.join('\n')}`}`);
  const failed = results.some(([, r]) => r.errors.size > 0);
  if (failed || exits.length > 0 || unbounded.length > 0) exitCode = 1;
} catch (error) {
  console.error(error);
  console.error(pipeline.logTail());
  exitCode = 1;
} finally {
  await bus.close();
  await pipeline.close();
}
process.exit(exitCode);
