// The gateway as a hostile client meets it: listening on a real port in front of the embedded
// pipeline (a real nats-server, every stage), with two API keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Bus } from '@paperline/bus';
import { PaperlineClient } from '@paperline/client';
import { Buckets, ControlKeys, Headers, ObjectNames, ObjectStores, Streams } from '@paperline/contracts';
import { createGateway, parseApiKeys } from '@paperline/gateway';
import { silentLogger } from '@paperline/telemetry';
import { multiPagePdf, pollUntil } from '@paperline/testing';
import { startLocalPipeline, type LocalPipeline } from '../../services/cli/src/local/index.js';

const KEY_A = 'alice-0123456789abcdef';
const KEY_B = 'bob-fedcba9876543210xx';


/** The sequences of a document's messages still in a stream (every Nats-Msg-Id starts with `<docId>:`). */
async function pendingOf(bus: Bus, stream: string, docId: string): Promise<number[]> {
  const info = await bus.jsm.streams.info(stream);
  const found: number[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const msg = await bus.jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (msg?.header?.get(Headers.msgId)?.startsWith(`${docId}:`)) found.push(seq);
  }
  return found;
}

describe('gateway security', () => {
  let pipeline: LocalPipeline;
  let client: PaperlineClient;
  let bus: Bus;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    pipeline = await startLocalPipeline({ log: silentLogger() });
    client = await PaperlineClient.connect({ servers: pipeline.url, waitOnFirstConnect: false });
    bus = await Bus.connect({ servers: pipeline.url, waitOnFirstConnect: false });
    app = createGateway({ client, config: { limits: { maxFileBytes: 10 * 1024 * 1024 } }, auth: parseApiKeys(`alice:${KEY_A},bob:${KEY_B}`, 'test') });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await client?.close();
    await pipeline?.close();
  });

  const upload = (key: string | undefined, body: Uint8Array, name = 'doc.pdf') =>
    fetch(`${base}/v1/documents?filename=${name}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/pdf', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
    });
  const get = (key: string | undefined, path: string, method = 'GET') =>
    fetch(`${base}${path}`, { method, headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });

  it('no key and a wrong key get 401 in the documented shape; probes need none, metrics does', async () => {
    for (const key of [undefined, 'not-a-valid-key-at-all', `${KEY_A}x`, '']) {
      const res = await upload(key, multiPagePdf(1));
      expect(res.status, String(key)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    }
    const basic = await fetch(`${base}/v1/documents/abcdefgh`, { headers: { authorization: `Basic ${Buffer.from(`a:${KEY_A}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
    expect((await get(undefined, '/healthz')).status).toBe(200);
    expect((await get(undefined, '/readyz')).status).toBe(200);
    expect((await get(undefined, '/metrics')).status).toBe(401);
    expect((await get(KEY_A, '/metrics')).status).toBe(200);
    expect((await bus.jsm.streams.info(Streams.docs)).state.messages).toBe(0);
  });

  it("key A cannot see, fetch or cancel key B's document: 404 as for an unknown one", async () => {
    const res = await upload(KEY_B, multiPagePdf(1), 'bob.pdf');
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const job = await client.wait(id, { timeoutMs: 60_000 });
    expect(job).toMatchObject({ status: 'completed', owner: 'bob' });
    for (const [method, path] of [['GET', `/v1/documents/${id}`], ['GET', `/v1/documents/${id}/result`], ['DELETE', `/v1/documents/${id}`]] as const) {
      const denied = await get(KEY_A, path, method);
      expect(denied.status, `${method} ${path}`).toBe(404);
      expect(await denied.json()).toMatchObject({ error: { code: 'DOCUMENT_NOT_FOUND' } });
    }
    expect((await get(KEY_B, `/v1/documents/${id}`)).status).toBe(200);
    expect((await get(KEY_B, `/v1/documents/${id}/result?format=md`)).status).toBe(200);
    const finished = await get(KEY_B, `/v1/documents/${id}`, 'DELETE');
    expect(finished.status).toBe(409);
    expect(await finished.json()).toMatchObject({ error: { code: 'DOCUMENT_FINISHED' } });
  });

  it('cancel ends a running document as cancelled, deletes its pending messages and objects, and the others complete', async () => {
    const control = await bus.kv(Buckets.control);
    // layout stops fetching: render's page tasks wait in PL_WORK, as behind a long queue
    await control.put(ControlKeys.paused('layout'), new TextEncoder().encode('true'));
    await pollUntil('layout paused', () => pipeline.runtimes.get('layout')?.state === 'paused');
    const cancelled = (await (await upload(KEY_A, multiPagePdf(6), 'cancel-me.pdf')).json()) as { id: string };
    const others = await Promise.all([1, 2].map(async (n) => ((await (await upload(KEY_A, multiPagePdf(2), `keep-${n}.pdf`)).json()) as { id: string }).id));
    try {
      // render is done with all three once PL_DOCS is empty; a pull layout had open as it paused may take a page or two
      await pollUntil('render done', async () => (await bus.jsm.streams.info(Streams.docs)).state.messages === 0);
      expect((await client.status(cancelled.id)).status).toBe('running');
      expect((await pendingOf(bus, Streams.work, cancelled.id)).length).toBeGreaterThan(0);
      const othersPending = await Promise.all(others.map(async (id) => (await pendingOf(bus, Streams.work, id)).length));
      expect(await bus.objectSize(ObjectStores.documents, ObjectNames.document(cancelled.id))).toBeGreaterThan(0);

      const res = await get(KEY_A, `/v1/documents/${cancelled.id}`, 'DELETE');
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: cancelled.id, status: 'cancelled' });
      expect(await pendingOf(bus, Streams.work, cancelled.id)).toEqual([]);
      expect(await bus.objectSize(ObjectStores.documents, ObjectNames.document(cancelled.id))).toBeUndefined();
      // the other documents' pages are still queued
      expect(await Promise.all(others.map(async (id) => (await pendingOf(bus, Streams.work, id)).length))).toEqual(othersPending);
    } finally {
      await control.put(ControlKeys.paused('layout'), new TextEncoder().encode('false'));
    }
    for (const id of others) expect(await client.wait(id, { timeoutMs: 60_000 })).toMatchObject({ status: 'completed', pageCount: 2 });
    expect((await client.status(cancelled.id)).status).toBe('cancelled');
    expect(await pendingOf(bus, Streams.work, cancelled.id)).toEqual([]);
    const result = await get(KEY_A, `/v1/documents/${cancelled.id}/result`);
    expect(result.status).toBe(410);
    expect(await result.json()).toMatchObject({ error: { code: 'DOCUMENT_CANCELLED' } });
  });
});
