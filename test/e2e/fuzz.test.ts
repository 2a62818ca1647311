// A bounded, time-limited fuzz run against the embedded pipeline and the gateway in front of it:
// random malformed HTTP requests (multipart, headers, ids, query strings) and malformed messages
// on every subject a stage consumes. Nothing may crash, no answer may be a 500, nothing may be
// lost: every malformed message ends as a dead letter, and a good document still completes.
// The seed is printed; PL_FUZZ_SEED repeats a run, PL_FUZZ_MS lengthens it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Bus } from '@paperline/bus';
import { PaperlineClient } from '@paperline/client';
import { STAGES, Streams, consumerSubject, stagePriorities } from '@paperline/contracts';
import { createGateway, parseApiKeys } from '@paperline/gateway';
import { silentLogger } from '@paperline/telemetry';
import { multiPagePdf } from '@paperline/testing';
import { MODULE_STAGES, startLocalPipeline, type LocalPipeline } from '../../services/cli/src/local/index.js';

const SEED = Number(process.env['PL_FUZZ_SEED'] ?? Date.now() % 1_000_000);
const HTTP_BUDGET_MS = Number(process.env['PL_FUZZ_MS'] ?? 8_000);
const NATS_MESSAGES_PER_SUBJECT = 25;
const KEY = 'fuzz-key-0123456789';

/** mulberry32: a small seeded generator, so a failing run can be repeated. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzzing', () => {
  let pipeline: LocalPipeline;
  let client: PaperlineClient;
  let bus: Bus;
  let app: FastifyInstance;
  const random = generator(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
  const text = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join('');

  beforeAll(async () => {
    pipeline = await startLocalPipeline({ log: silentLogger() });
    client = await PaperlineClient.connect({ servers: pipeline.url, waitOnFirstConnect: false });
    bus = await Bus.connect({ servers: pipeline.url, waitOnFirstConnect: false });
    app = createGateway({ client, config: { limits: { maxFileBytes: 1024 * 1024 } }, auth: parseApiKeys(`fuzz:${KEY}`, 'test') });
    await app.ready();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await client?.close();
    await pipeline?.close();
  });

  it('the HTTP API answers every malformed request in the documented shape, never 500', async () => {
    const boundary = `b${Math.floor(random() * 1e9)}`;
    const ids = ['abcdefgh', '../../etc/passwd', '%00', 'a'.repeat(300), '..%2f..', ' ', 'doc.*', '$KV', 'x%ZZ'];
    const queries = ['pages=0', 'pages=-1', 'pages=1-', 'pages=99999999999999999999', 'lang[]=en', 'format=md&format=json', 'priority=%00', 'features=table', 'filename=..%2F..%2Fx.pdf', 'filename=a%0d%0ab.pdf', `x=${'y'.repeat(5000)}`, '%%%'];
    const parts = [
      () => `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${text(10)}"\r\n\r\n%PDF-1.7\n${text(50)}\r\n--${boundary}--\r\n`,
      () => `--${boundary}\r\nContent-Disposition: form-data; name="file"\r\n\r\n${text(20)}`,
      () => `--${boundary}\r\n${text(40)}\r\n\r\n`,
      () => `--${boundary}--`,
      () => bytes(200).toString('latin1'),
      () => `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n${'z'.repeat(2 * 1024 * 1024)}\r\n--${boundary}--\r\n`,
    ];
    const counts = new Map<number, number>();
    const deadline = Date.now() + HTTP_BUDGET_MS;
    let requests = 0;
    while (Date.now() < deadline) {
      const kind = Math.floor(random() * 5);
      const auth = random() < 0.85 ? { authorization: `Bearer ${KEY}` } : pick([{}, { authorization: 'Bearer' }, { authorization: `Basic ${text(10)}` }, { authorization: `Bearer ${text(30)}` }]);
      let res;
      if (kind === 0) {
        res = await app.inject({ method: 'POST', url: `/v1/documents?${pick(queries)}`, payload: pick(parts)(), headers: { ...auth, 'content-type': pick([`multipart/form-data; boundary=${boundary}`, 'multipart/form-data', `multipart/form-data; boundary=${text(5)}`]) } });
      } else if (kind === 1) {
        res = await app.inject({ method: 'POST', url: `/v1/documents?${pick(queries)}`, payload: random() < 0.5 ? bytes(Math.floor(random() * 2000)) : Buffer.from('%PDF-1.7\n' + text(100)), headers: { ...auth, 'content-type': pick(['application/pdf', 'image/png', 'text/plain', 'application/json', '', text(12)]) } });
      } else if (kind === 2) {
        res = await app.inject({ method: pick(['GET', 'DELETE'] as const), url: `/v1/documents/${pick(ids)}${pick(['', '/result', '/result?format=' + text(4), '/'])}`, headers: auth });
      } else if (kind === 3) {
        res = await app.inject({ method: pick(['GET', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'] as const), url: pick(['/v1/documents', '/v1', '/', '/metrics', `/${encodeURIComponent(text(8))}`]), headers: { ...auth, [`x-${Math.floor(random() * 100)}`]: text(20) } });
      } else {
        res = await app.inject({ method: 'POST', url: '/v1/documents', payload: pick(parts)(), headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(Math.floor(random() * 10)) } });
      }
      requests++;
      counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1);
      expect(res.statusCode, `${res.statusCode} ${res.body}`).toBeLessThan(500);
      if (res.statusCode >= 400 && res.body && res.headers['content-type']?.toString().includes('json')) {
        expect(res.json(), res.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      }
    }
    const summary = [...counts.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`).join(', ');
    process.stdout.write(`HTTP fuzz (seed ${SEED}): ${requests} requests in ${HTTP_BUDGET_MS} ms; ${summary}\n`);
    expect(requests).toBeGreaterThan(50);
  }, HTTP_BUDGET_MS + 60_000);

  it('malformed messages on every consumed subject are dead-lettered, none crashes a stage, and good documents still complete', async () => {
    const subjects = STAGES.filter((stage) => (MODULE_STAGES as readonly string[]).includes(stage)).flatMap((stage) => stagePriorities(stage).map((priority) => consumerSubject(stage, priority)));
    const pendingNow = async () => (await bus.jsm.streams.info(Streams.work)).state.messages + (await bus.jsm.streams.info(Streams.docs)).state.messages;
    // what the HTTP fuzz submitted is processed (and dead-lettered) first, so the count below is this test's alone
    const idleBy = Date.now() + 90_000;
    while ((await pendingNow()) > 0 && Date.now() < idleBy) await new Promise((r) => setTimeout(r, 100));
    const dlqBefore = (await bus.jsm.streams.info(Streams.dlq)).state.messages;
    const payloads = [
      () => bytes(Math.floor(random() * 300)),
      () => Buffer.from(text(40)),
      () => Buffer.from(JSON.stringify({ v: 1, docId: text(8).replace(/[^A-Za-z0-9]/g, 'x'), page: -1 })),
      () => Buffer.from(JSON.stringify({ v: 2 })),
      () => Buffer.from('null'),
      () => Buffer.from(`{"v":1,"docId":"${'a'.repeat(70)}"}`),
      () => Buffer.alloc(0),
    ];
    let sent = 0;
    for (const subject of subjects) {
      for (let i = 0; i < NATS_MESSAGES_PER_SUBJECT; i++) {
        await bus.publish(subject, pick(payloads)(), { msgId: `fuzz-${SEED}-${subject}-${i}` });
        sent++;
      }
    }
    const good = await client.submit(multiPagePdf(2), { fileName: 'good.pdf' });
    const job = await client.wait(good, { timeoutMs: 90_000 });
    expect(job.status).toBe('completed');
    const deadline = Date.now() + 60_000;
    let deadLetters = 0;
    while (Date.now() < deadline) {
      deadLetters = (await bus.jsm.streams.info(Streams.dlq)).state.messages - dlqBefore;
      if (deadLetters >= sent && (await pendingNow()) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const pending = await pendingNow();
    for (const [stage, runtime] of pipeline.runtimes) expect(runtime.state, stage).toBe('ready');
    process.stdout.write(`NATS fuzz (seed ${SEED}): ${sent} malformed messages on ${subjects.length} subjects; ${deadLetters} dead letters, ${pending} still pending; the good document completed\n`);
    // nothing lost: each malformed message is accounted for as a dead letter, none is left in a queue
    expect(deadLetters).toBe(sent);
    expect(pending).toBe(0);
  }, 180_000);
});
