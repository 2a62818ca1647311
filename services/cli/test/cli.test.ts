// The real `paperline` bin against a real nats-server; the test plays the pipeline's part by
// writing the job records and outputs that render and assemble would.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import {
  Buckets,
  ControlKeys,
  JobKeys,
  JobRecordSchema,
  LedgerSchema,
  MemoryKeys,
  ObjectNames,
  ObjectStores,
  SCHEMA_VERSION,
  decode,
  encode,
  type JobRecord,
} from '@paperline/contracts';
import { freePort, startLocalServer } from '@paperline/nats-server';
import { startPresence } from '@paperline/stage-host';
import { silentLogger } from '@paperline/telemetry';
import { buildPdf, startTestServer, textImage, updateJobRecord, type TestServer } from '@paperline/testing';

const BIN = join(import.meta.dirname, '..', 'bin', 'paperline.js');
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Longer than any one command needs; a hung command is killed so it never outlives the test run. */
const RUN_LIMIT_MS = 150_000;

function paperline(args: string[], env: Record<string, string | undefined> = {}, started?: (child: ChildProcess) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    // its own process group, so a kill reaches the node the bin started too
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, PL_LOG_LEVEL: 'error', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const limit = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), RUN_LIMIT_MS);
    child.on('exit', () => clearTimeout(limit));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    started?.(child);
  });
}

/** Resolves once the child's output (stdout or stderr: stage processes log to stdout) contains text, a line the CLI writes when it reached a point. */
function untilOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (c: Buffer) => {
      seen += c.toString();
      if (!seen.includes(text)) return;
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before writing "${text}":\n${seen}`)));
  });
}

async function complete(bus: Bus, docId: string, format: 'md' | 'json', content: string): Promise<void> {
  await bus.putObject(ObjectStores.outputs, ObjectNames.output(docId, format), Buffer.from(content));
  await updateJobRecord(bus, docId, { status: 'completed', pageCount: 1, pagesDone: [1], outputs: { [format]: ObjectNames.output(docId, format) } });
}

/** Acts as the pipeline for `parse`: completes (or fails) each new job by file name. */
async function playPipeline(bus: Bus, outcome: (job: JobRecord) => { md: string } | { failCode: string; reason: string }): Promise<() => void> {
  const watcher = await (await bus.kv(Buckets.jobs)).watch({ key: 'doc.>' });
  void (async () => {
    for await (const entry of watcher) {
      if (entry.operation !== 'PUT') continue;
      const job = decode(JobRecordSchema, entry.value);
      if (job.status !== 'queued') continue;
      await updateJobRecord(bus, job.docId, { status: 'running', pageCount: 2, pagesDone: [1] });
      const result = outcome(job);
      if ('md' in result) await complete(bus, job.docId, 'md', result.md);
      else await updateJobRecord(bus, job.docId, { status: 'failed', error: { stage: 'render', code: result.failCode, reason: result.reason } });
    }
  })();
  return () => watcher.stop();
}

describe('paperline (the bin)', () => {
  let server: TestServer;
  let bus: Bus;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer();
    env = { NATS_URL: server.url };
  });
  afterAll(async () => server?.stop());
  beforeEach(async () => {
    bus = await Bus.connect({ servers: server.url });
    server.defer(() => bus.close());
    await provisionTopology(bus.nc, buildTopology());
    dir = await mkdtemp(join(tmpdir(), 'pl-cli-'));
    server.defer(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'paper.pdf'), PDF);
  });
  afterEach(async () => server.reset());

  it('parses arguments: help, unknown commands, bad options and stages are usage errors (exit 2)', async () => {
    const help = await paperline(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: paperline/);
    const runs = await Promise.all([
      paperline(['bogus']),
      paperline(['parse']),
      paperline(['pause', 'nosuchstage'], env),
      paperline(['submit', join(dir, 'paper.pdf'), '--pages', '5-1'], env),
      paperline(['parse', join(dir, 'paper.pdf'), '--format', 'docx']),
      paperline(['features', 'set', 'table=maybe'], env),
    ]);
    for (const run of runs) expect(run.code, run.stderr).toBe(2);
    expect(runs[2]!.stderr).toMatch(/unknown stage "nosuchstage"/);
    expect(runs[3]!.stderr).toMatch(/pages must be N or FROM-TO/);
  });

  it('submit prints the id; result reports not ready (5), unknown (4), the content (0) and a failure (1)', async () => {
    const submitted = await paperline(['submit', join(dir, 'paper.pdf'), '--format', 'md', '--priority', 'high'], env);
    expect(submitted.code, submitted.stderr).toBe(0);
    const id = submitted.stdout.trim().split('\n').at(-1)!;
    expect(id).toMatch(/^[A-Za-z0-9]{16}$/);
    const record = decode(JobRecordSchema, (await (await bus.kv(Buckets.jobs)).get(JobKeys.doc(id)))!.value);
    expect(record).toMatchObject({ status: 'queued', fileName: 'paper.pdf', options: { priority: 'high', outputFormats: ['md'] } });

    const notReady = await paperline(['result', id], env);
    expect(notReady.code).toBe(5);
    expect(notReady.stderr).toMatch(/is not finished \(queued\); add --wait/);
    expect((await paperline(['result', 'no-such-doc'], env)).code).toBe(4);

    await complete(bus, id, 'md', '# Paper\n\nBody text.\n');
    const result = await paperline(['result', id], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('# Paper\n\nBody text.\n');

    const second = (await paperline(['submit', join(dir, 'paper.pdf')], env)).stdout.trim().split('\n').at(-1)!;
    await updateJobRecord(bus, second, { status: 'failed', error: { stage: 'render', code: 'ENCRYPTED_PDF', reason: 'the PDF is encrypted (password protected)' } });
    const failed = await paperline(['result', second], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`${second} failed in render: ENCRYPTED_PDF: the PDF is encrypted (password protected)`);
  });

  it('result --wait waits for the document through the watch', async () => {
    const id = (await paperline(['submit', join(dir, 'paper.pdf')], env)).stdout.trim();
    let waiter: ChildProcess | undefined;
    const waiting = paperline(['result', id, '--wait', '--format', 'json'], { ...env, PL_LOG_LEVEL: 'debug' }, (c) => (waiter = c));
    await untilOutput(waiter!, 'waiting for the document');
    await complete(bus, id, 'json', '{"pages":[]}');
    const run = await waiting;
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ pages: [] });
    // SIGINT ends a wait cleanly with 130 (the bin forwards it to the node running the source)
    const pendingId = (await paperline(['submit', join(dir, 'paper.pdf')], env)).stdout.trim();
    let child: ChildProcess | undefined;
    const interrupted = paperline(['result', pendingId, '--wait'], { ...env, PL_LOG_LEVEL: 'debug' }, (c) => (child = c));
    // the CLI writes this once it waits, after installing its signal handlers
    await untilOutput(child!, 'waiting for the document');
    child!.kill('SIGINT');
    const stopped = await interrupted;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/interrupted/);
    const timedOut = await paperline(['result', (await paperline(['submit', join(dir, 'paper.pdf')], env)).stdout.trim(), '--wait', '--timeout', '300'], env);
    expect(timedOut.code).toBe(5);
  });

  it('cancel ends a queued document as cancelled (0), refuses a finished one (1) and an unknown id (4)', async () => {
    const id = (await paperline(['submit', join(dir, 'paper.pdf')], env)).stdout.trim();
    const cancelled = await paperline(['cancel', id], env);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`^${id} cancelled: 1 pending messages and 1 objects deleted`));
    const record = decode(JobRecordSchema, (await (await bus.kv(Buckets.jobs)).get(JobKeys.doc(id)))!.value);
    expect(record.status).toBe('cancelled');
    const again = await paperline(['cancel', id], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already finished: cancelled/);
    expect((await paperline(['cancel', 'no-such-doc'], env)).code).toBe(4);
  });

  it('ends quietly when the reader of its stdout goes away (EPIPE, as in `paperline status | head -1`)', async () => {
    const child = spawn(process.execPath, [BIN, 'status'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    // the reading end closed before the first line: every write the CLI makes meets EPIPE
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('submit refuses an empty file and a non-document with exit 3', async () => {
    await writeFile(join(dir, 'empty.pdf'), '');
    await writeFile(join(dir, 'notes.txt'), 'plain text');
    const empty = await paperline(['submit', join(dir, 'empty.pdf')], env);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/the file is empty/);
    expect((await paperline(['submit', join(dir, 'notes.txt')], env)).code).toBe(3);
    expect((await paperline(['submit', join(dir, 'missing.pdf')], env)).code).toBe(3);
  });

  it('pause, resume and features write pl-control flags as JSON', async () => {
    const kv = await bus.kv(Buckets.control);
    const flag = async (key: string) => JSON.parse(new TextDecoder().decode((await kv.get(key))!.value)) as unknown;
    expect((await paperline(['pause', 'ocr'], env)).stdout).toBe('ocr paused\n');
    expect(await flag(ControlKeys.paused('ocr'))).toBe(true);
    expect((await paperline(['resume', 'ocr'], env)).code).toBe(0);
    expect(await flag(ControlKeys.paused('ocr'))).toBe(false);

    const set = await paperline(['features', 'set', 'table=off', 'formula=on'], env);
    expect(set.code, set.stderr).toBe(0);
    expect(await flag(ControlKeys.featureEnabled('table'))).toBe(false);
    expect(await flag(ControlKeys.featureEnabled('formula'))).toBe(true);
    expect(set.stdout).toMatch(/^table\s+off$/m);
    const show = await paperline(['features', '--json'], env);
    expect(JSON.parse(show.stdout)).toEqual({ table: false, formula: true, chart: true });
  });

  it('status --json: state (down where no instance beats), backends, paused flags, pending messages per priority, models and device leases', async () => {
    const presences = [
      await startPresence({ bus, stage: 'layout', instance: 'layout-1', node: 'test-node', describe: () => ({ backend: 'pp-doclayout-s', models: ['doclayout'] }), log: silentLogger() }),
      await startPresence({ bus, stage: 'ocr', instance: 'ocr-1', node: 'test-node', describe: () => ({ backend: 'pp-ocr', models: ['ppocr-det', 'ppocr-rec-en'] }), log: silentLogger() }),
    ];
    await paperline(['pause', 'layout'], env);
    await paperline(['submit', join(dir, 'paper.pdf')], env);
    const now = Date.now();
    const device = 'cpu@test-node';
    await (await bus.kv(Buckets.memory)).put(
      MemoryKeys.ledger(device),
      encode(LedgerSchema, {
        v: SCHEMA_VERSION,
        device,
        capacityBytes: 8 * 1024 ** 3,
        leases: {
          l1: { stage: 'ocr', instance: 'ocr-1', model: 'ppocr-rec-en', bytes: 200 * 1024 ** 2, state: 'active', lastUsedAt: now, expiresAt: now + 60_000 },
          l2: { stage: 'layout', instance: 'layout-1', model: 'doclayout', bytes: 100 * 1024 ** 2, state: 'loading', lastUsedAt: now, expiresAt: now + 60_000 },
          gone: { stage: 'ocr', instance: 'dead', model: 'ppocr-det', bytes: 50, state: 'idle', lastUsedAt: 0, expiresAt: now - 1 },
        },
      }),
    );
    const run = await paperline(['status', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout) as Record<string, Record<string, Record<string, unknown>>>;
    expect(Object.keys(status).sort()).toEqual(['devices', 'stages']);
    expect(status['stages']!['layout']).toMatchObject({ state: 'paused', paused: true, backends: ['pp-doclayout-s'], models: [{ id: 'doclayout', device, loaded: false, state: 'loading' }] });
    expect(status['stages']!['render']).toMatchObject({ state: 'down', instances: [], backends: [], paused: false, pending: { normal: 1 }, inFlight: 0 });
    expect(status['stages']!['ocr']).toMatchObject({ state: 'running', instances: [{ instance: 'ocr-1', node: 'test-node', backend: 'pp-ocr' }], pending: { high: 0, normal: 0 }, models: [{ id: 'ppocr-rec-en', device, loaded: true }] });
    expect(status['devices']![device]).toMatchObject({ capacityBytes: 8 * 1024 ** 3, reservedBytes: 300 * 1024 ** 2 });

    const table = await paperline(['status'], env);
    expect(table.stdout).toMatch(/^layout\s+paused\s+1\s+pp-doclayout-s\s/m);
    expect(table.stdout).toMatch(/^ocr\s+running\s+1\s+pp-ocr\s.*ppocr-rec-en@cpu@test-node, ppocr-det \(not loaded\)$/m);
    expect(table.stdout).toMatch(/^table\s+down\s+0\s+-\s/m);
    for (const presence of presences) await presence.stop();
    const stopped = JSON.parse((await paperline(['status', '--json'], env)).stdout) as { stages: Record<string, { state: string }> };
    expect(stopped.stages['ocr']?.state).toBe('down');
    expect(table.stdout).toMatch(/^cpu@test-node\s+8192 MiB\s+300 MiB \(4%\)/m);
  });

  it('parse with NATS_URL writes every finished document and exits 1 naming the failed one', async () => {
    await writeFile(join(dir, 'scan.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    await writeFile(join(dir, 'locked.pdf'), PDF);
    const stop = await playPipeline(bus, (job) =>
      job.fileName === 'locked.pdf' ? { failCode: 'ENCRYPTED_PDF', reason: 'the PDF is encrypted (password protected)' } : { md: `# ${job.fileName}\n` },
    );
    try {
      const out = join(dir, 'out');
      const run = await paperline(['parse', join(dir, 'paper.pdf'), join(dir, 'scan.png'), join(dir, 'locked.pdf'), '-o', out, '--pages', '1-2'], env);
      expect(run.code, run.stderr).toBe(1);
      expect(await readFile(join(out, 'paper.md'), 'utf8')).toBe('# paper.pdf\n');
      expect(await readFile(join(out, 'scan.md'), 'utf8')).toBe('# scan.png\n');
      expect(existsSync(join(out, 'locked.md'))).toBe(false);
      expect(run.stdout.trim().split('\n')).toEqual([join(out, 'paper.md'), join(out, 'scan.md')]);
      expect(run.stderr).toMatch(/locked\.pdf: FAILED: ENCRYPTED_PDF: the PDF is encrypted/);
      expect(run.stderr).toContain(`paper.pdf: done -> ${join(out, 'paper.md')}`);
      expect(run.stderr).toMatch(/1 of 3 documents failed/);
    } finally {
      stop();
    }
  });

  it('up runs the stages under the supervisor and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'up', '--stages', 'render', '--health-port', String(port)], { env: { ...process.env, ...env, PL_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no stage started:\n${stderr}`)), 30_000);
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (stderr.includes('stage started')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(stderr).toMatch(/"stage":"render".*"healthPort":\d+.*stage started/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/supervisor stopped/);
  });

  it('up exits on the first SIGTERM within its grace when the cluster is unreachable: at start, and after the server died', async () => {
    const UP_GRACE_MS = 35_000;
    const unreachable = `nats://127.0.0.1:${await freePort()}`;
    let starting: ChildProcess | undefined;
    const neverConnected = paperline(['up', '--stages', 'render', '--health-port', String(await freePort())], { NATS_URL: unreachable, PL_LOG_LEVEL: 'info' }, (c) => (starting = c));
    await untilOutput(starting!, 'connecting to the cluster');
    let signalledAt = Date.now();
    starting!.kill('SIGTERM');
    const first = await neverConnected;
    expect(first.code, first.stderr).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(UP_GRACE_MS);
    expect(first.stderr).toContain('supervisor stopped before its stages started');

    const own = await startLocalServer();
    try {
      let running: ChildProcess | undefined;
      const up = paperline(['up', '--stages', 'render', '--health-port', String(await freePort())], { NATS_URL: own.url, PL_LOG_LEVEL: 'info' }, (c) => (running = c));
      await untilOutput(running!, '"to":"ready"');
      process.kill(own.pid, 'SIGKILL');
      signalledAt = Date.now();
      running!.kill('SIGTERM');
      const second = await up;
      expect(second.code, second.stderr).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(UP_GRACE_MS);
      expect(second.stderr).toMatch(/supervisor stopped/);
    } finally {
      await own.stop().catch(() => undefined);
    }
  }, 180_000);

  it('parse without NATS_URL runs the embedded pipeline (its own nats-server and every stage) and writes Markdown', async () => {
    const pages = [1, 2].map((n) => ({
      texts: [
        { text: `Chapter ${n}: Findings`, x: 72, y: 80, size: 20, font: 'Helvetica-Bold' as const },
        { text: `Body text on page ${n}.`, x: 72, y: 130 },
      ],
    }));
    await writeFile(join(dir, 'two.pdf'), buildPdf(pages));
    const out = join(dir, 'embedded');
    const md = await paperline(['parse', join(dir, 'two.pdf'), '-o', out], { NATS_URL: '' });
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout.trim()).toBe(join(out, 'two.md'));
    // which backend each stage ran with; the stages not built yet are down
    expect(md.stderr).toMatch(/^paperline: backends: render=(pdfium|pdfjs)\+sharp layout=text-layer ocr=pp-ocr table=rules formula=glyphs chart=rules assemble=reading-order$/m);
    // the log stays out of the user's stderr
    expect(md.stderr.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
    const text = await readFile(join(out, 'two.md'), 'utf8');
    expect(text).toMatch(/^# Chapter 1: Findings$/m);
    expect(text.indexOf('Body text on page 1.')).toBeLessThan(text.indexOf('Chapter 2: Findings'));
  }, 180_000);

  it('Ctrl-C (to the process group) during an embedded parse drains the stages, then ends quietly with 130 (logs in PL_LOG_FILE, not on stderr)', async () => {
    // scanned pages: a second or more of OCR each, so most are still to do when the first one
    // starts running and Ctrl-C comes (a text-layer PDF of 40 pages was already done on a fast engine)
    const scans = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const file = join(dir, `scan-${i}.png`);
        await writeFile(file, await textImage(Array.from({ length: 16 }, (_, line) => `Scan ${i} line ${line}: the parse goes on while Ctrl-C comes`)));
        return file;
      }),
    );
    const logFile = join(dir, 'parse.log');
    let child: ChildProcess | undefined;
    const run = paperline(['parse', ...scans, '-o', join(dir, 'out')], { NATS_URL: '', PL_LOG_FILE: logFile, PL_LOG_LEVEL: 'info' }, (c) => (child = c));
    await untilOutput(child!, 'running 0/1 pages');
    // as a terminal's Ctrl-C: to the whole process group, the nats-server and render processes
    // the CLI started included (each must wait for the CLI to drain the stages)
    process.kill(-child!.pid!, 'SIGINT');
    const stopped = await run;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr.split('\n').filter((line) => line.startsWith('{') || /^\s+at /.test(line))).toEqual([]);
    expect(stopped.stderr).toMatch(/paperline: interrupted/);
    expect(stopped.stderr.match(/: done -> /g)?.length ?? 0).toBeLessThan(scans.length);
    const log = await readFile(logFile, 'utf8');
    for (const stage of ['render', 'layout', 'ocr', 'assemble']) expect(log, stage).toMatch(new RegExp(`"stage":"${stage}"[^\n]*"to":"stopped"`));
  }, 180_000);

  it('provision reports what it created, then that nothing changed', async () => {
    await server.reset();
    const first = await paperline(['provision'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/created\s+stream PL_DOCS/);
    const again = await paperline(['provision', '--check', '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: [], drift: [] });
  });
});
