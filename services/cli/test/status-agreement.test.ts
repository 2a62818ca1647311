// `paperline status --json` (the bin, as a process), each live stage's `/status` and its `/metrics`
// tell one story on a real nats-server with real stage processes: layout runs with a generated
// PP-DocLayout model (loaded under a lease) and routes a scan's regions to ocr, which has no
// process, so it shows `down` with its lag still visible in the server-side pl_jetstream_* series
// every stage process exports; render is paused.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { DocOptionsSchema, MsgIds, ObjectNames, ObjectStores, PageTaskSchema, SCHEMA_VERSION, STAGES, Subjects, encode, stagePriorities, type StageName } from '@paperline/contracts';
import { DEFAULT_MANIFEST_PATH } from '@paperline/models';
import { docLayoutModel, pollUntil, startTestServer, textImage, writeOnnxModel, type TestServer } from '@paperline/testing';
import type { ClusterStatus } from '../src/cluster-status.js';
import { stageCommand } from '../src/local/stage-process.js';
import type { ModuleStage } from '../src/local/stage-modules.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'paperline.js');
const DEADLINE_MS = 120_000;
/** The views settle once lag pollers and exporters have read the server; a probe's failure until then is its last word. */
const AGREEMENT_POLL = { timeoutMs: DEADLINE_MS, intervalMs: 200, retryErrors: true } as const;
const RUNNING: ModuleStage = 'layout';
const PAUSED: ModuleStage = 'render';
const DOWN: StageName = 'ocr';
const LAYOUT_MODEL = 'pp-doclayout-s';

/** A models dir holding a generated PP-DocLayout-S (32x48 input) and a manifest with the repo's entry for it, resized. */
function installLayoutModel(): { manifest: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pl-status-models-'));
  mkdirSync(join(dir, 'layout'));
  writeOnnxModel(join(dir, 'layout/PP-DocLayout-S.onnx'), docLayoutModel({ architecture: 'picodet-gfl', height: 32, width: 48 }));
  const repo = JSON.parse(readFileSync(DEFAULT_MANIFEST_PATH, 'utf8')) as { models: Array<{ id: string; io: { inputs: Array<{ name: string; shape: unknown[] }> } }> };
  const entry = repo.models.find((m) => m.id === LAYOUT_MODEL)!;
  entry.io.inputs.find((i) => i.name === 'image')!.shape = [1, 3, 32, 48];
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ models: [entry] }));
  return { manifest, dir };
}

/** One scanned page for layout, whose regions go on to ocr. */
async function publishScan(bus: Bus): Promise<void> {
  const docId = 'doc-status';
  const raster = ObjectNames.pageRaster(docId, 1);
  await bus.putObject(ObjectStores.pages, raster, await textImage(['A scanned page', 'with two lines']));
  const task = {
    v: SCHEMA_VERSION,
    docId,
    page: 1,
    pageCount: 1,
    width: 640,
    height: 400,
    dpi: 150,
    source: { kind: 'image' as const, object: ObjectNames.document(docId) },
    raster,
    textLayer: null,
    options: DocOptionsSchema.parse({ lang: 'en' }),
  };
  await bus.publish(Subjects.work('layout', 'normal'), encode(PageTaskSchema, task), { msgId: MsgIds.page(docId, 1) });
}

interface Child {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function paperline(args: string[], natsUrl: string): Promise<string> {
  const run = start([BIN, ...args], { NATS_URL: natsUrl, PL_LOG_LEVEL: 'error' });
  const code = await run.exited;
  if (code !== 0) throw new Error(`paperline ${args.join(' ')} exited with ${code}:\n${run.output()}`);
  return run.output();
}

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Every sample of one family, from the Prometheus text format. */
function samples(text: string, name: string): Sample[] {
  const family = parsePrometheusTextFormat(text).find((f) => f.name === name);
  return (family?.metrics ?? []).map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }));
}

interface StageView {
  port: number;
  status: {
    state: string;
    paused: boolean;
    queue: Record<string, { pending: number | null; ackPending: number | null }>;
    handler?: { models?: string[] };
  };
  metrics: string;
}

async function view(port: number, stage: StageName): Promise<StageView> {
  const [status, metrics] = await Promise.all([
    fetch(`http://127.0.0.1:${port}/status`).then(async (r) => ((await r.json()) as Record<string, StageView['status']>)[stage]!),
    fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()),
  ]);
  return { port, status, metrics };
}

/** What a stage's own /status says its state is, in `paperline status` terms. */
function ownState(status: StageView['status']): string {
  return status.state === 'ready' ? 'running' : status.state;
}

describe('paperline status --json, /status and /metrics agree', () => {
  let server: TestServer;
  let bus: Bus;
  const models = installLayoutModel();
  const children: Child[] = [];
  beforeAll(async () => {
    server = await startTestServer();
    bus = await Bus.connect({ servers: server.url });
    await provisionTopology(bus.nc, buildTopology());
  });
  afterAll(async () => {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
    await bus?.close();
    await server?.stop();
    rmSync(models.dir, { recursive: true, force: true });
  });

  it(`${RUNNING} running with its model loaded, ${PAUSED} paused, ${DOWN} down with work waiting`, async () => {
    await paperline(['pause', PAUSED], server.url);
    const modelEnv = { PL_MODELS_MANIFEST: models.manifest, PL_MODELS_DIR: models.dir, PL_MODEL_IDLE_TIMEOUT_MS: '0', PL_MEMORY_GUARD: 'false' };
    const ports = new Map<StageName, number>();
    await Promise.all(
      [RUNNING, PAUSED].map(async (stage) => {
        const proc = start(stageCommand(stage), { NATS_URL: server.url, PL_HEALTH_PORT: '0', PL_HEALTH_HOST: '127.0.0.1', PL_LOG_LEVEL: 'info', PL_INSTANCE_ID: `agree-${stage}`, ...modelEnv });
        children.push(proc);
        const port = await pollUntil(`${stage} announced its health port`, async () => {
          if (proc.child.exitCode !== null) throw new Error(`${stage} exited with ${proc.child.exitCode}:\n${proc.output()}`);
          const match = /"port":(\d+)[^\n]*health server listening/.exec(proc.output());
          return match ? Number(match[1]) : undefined;
        }, AGREEMENT_POLL);
        ports.set(stage, port);
      }),
    );
    await publishScan(bus);

    // every view settles on the same figures once the lag pollers and exporters have read the server
    await pollUntil('status --json, /status and /metrics agree', async () => {
      const status = JSON.parse(await paperline(['status', '--json'], server.url)) as ClusterStatus;
      const views = new Map<StageName, StageView>();
      for (const [stage, port] of ports) views.set(stage, await view(port, stage));

      for (const stage of STAGES) {
        const cluster = status.stages[stage];
        const own = views.get(stage);
        if (own) {
          expect(ownState(own.status), `${stage}: /status state`).toBe(cluster.state);
          expect(samples(own.metrics, 'pl_stage_paused').find((s) => s.labels['stage'] === stage)?.value, `${stage}: pl_stage_paused`).toBe(cluster.state === 'paused' ? 1 : 0);
          expect(own.status.paused, `${stage}: /status paused`).toBe(cluster.paused);
          // models: the ones its backend uses, and the ones loaded (a lease held; pl_model_loaded 1)
          expect(cluster.instances.flatMap((i) => i.models).sort(), `${stage}: described models`).toEqual([...(own.status.handler?.models ?? [])].sort());
          const loaded = samples(own.metrics, 'pl_model_loaded').filter((s) => s.labels['stage'] === stage && s.value === 1);
          expect(loaded.map((s) => `${s.labels['model']}@${s.labels['device']}`).sort(), `${stage}: loaded models`).toEqual(
            cluster.models.filter((m) => m.loaded).map((m) => `${m.id}@${m.device}`).sort(),
          );
        } else {
          expect(cluster.state, `${stage}: no process`).toBe('down');
          expect(cluster.instances).toEqual([]);
          for (const other of views.values()) {
            expect(samples(other.metrics, 'pl_stage_paused').filter((s) => s.labels['stage'] === stage)).toEqual([]);
            // nobody pulls: the "pending > 0 and nobody pulling" alert reads this
            expect(samples(other.metrics, 'pl_jetstream_consumer_waiting').filter((s) => s.labels['stage'] === stage && s.value !== 0)).toEqual([]);
          }
        }
        // lag: the server-side series every live stage exports, its own view, and status --json
        for (const priority of stagePriorities(stage)) {
          const pending = cluster.pending[priority];
          for (const [exporter, other] of views) {
            const series = samples(other.metrics, 'pl_jetstream_consumer_pending').find((s) => s.labels['stage'] === stage && s.labels['priority'] === priority);
            expect(series?.value, `${stage}-${priority} pending as ${exporter}'s /metrics reports it`).toBe(pending);
          }
          if (own) {
            expect(own.status.queue[priority]?.pending, `${stage}-${priority}: /status pending`).toBe(pending);
            expect(samples(own.metrics, 'pl_consumer_pending').find((s) => s.labels['stage'] === stage && s.labels['priority'] === priority)?.value).toBe(pending);
          }
        }
      }
      // every exporter reports the same consumers: the stages' durable ones, no process's own KV watchers
      for (const [exporter, other] of views) expect(samples(other.metrics, 'pl_jetstream_consumer_pending').filter((s) => !s.labels['stage']), `${exporter}'s /metrics`).toEqual([]);
      // leases: what each device's ledger reserves, as status --json and the stages' budget gauges say
      for (const [device, ledger] of Object.entries(status.devices)) {
        for (const [stage, own] of views) {
          const reserved = samples(own.metrics, 'pl_budget_reserved_bytes').find((s) => s.labels['device'] === device);
          const holdsLease = ledger.leases.some((l) => l.stage === stage && !l.expired);
          if (holdsLease || reserved) expect(reserved?.value, `${device} reserved as ${stage} reports it`).toBe(ledger.reservedBytes);
        }
        expect(ledger.reservedBytes).toBe(ledger.leases.filter((l) => !l.expired).reduce((sum, l) => sum + l.bytes, 0));
      }
      expect(status.stages[DOWN].pending.normal, `${DOWN}: the scan's regions wait`).toBeGreaterThan(0);
      expect(status.stages[RUNNING].models.map((m) => [m.id, m.loaded]), `${RUNNING}: its model loaded under a lease`).toEqual([[LAYOUT_MODEL, true]]);
      expect(status.stages[RUNNING].inFlight).toBe(0);
      return true;
    }, AGREEMENT_POLL);
  }, DEADLINE_MS * 3);
});
