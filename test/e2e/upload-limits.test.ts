// Limits no client can get around, against a real nats-server and the gateway: a store at its
// byte limit refuses new documents clearly and keeps the accepted ones; a file over the shared
// limit (between render's 200 MiB and the old gateway's 256 MiB) is refused at the door; a
// malformed multipart body is a 400; NATS gone is a 503; a burst of uploads beyond the caps is a 429.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Bus, buildTopology, provisionTopology } from '@paperline/bus';
import { PaperlineClient } from '@paperline/client';
import { MAX_FILE_BYTES, ObjectNames, ObjectStores, Streams } from '@paperline/contracts';
import { createGateway } from '@paperline/gateway';
import { startTestServer, type TestServer } from '@paperline/testing';

const STORE_LIMIT = 1024 * 1024;
const pdfOf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(size - 9, 0x20)]);

/** Sends headers announcing `length` bytes and then as many as the server reads before it answers. */
function announce(url: string, length: number): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    const req = request(`${url}/v1/documents`, { method: 'POST', headers: { 'content-type': 'application/pdf', 'content-length': String(length) } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body, sent });
        req.destroy();
      });
    });
    req.on('error', (error) => (sent > 0 ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (sent < length && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(sent === chunk.length ? Buffer.concat([Buffer.from('%PDF-1.7\n'), chunk.subarray(9)]) : chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('upload limits', () => {
  let server: TestServer;
  let bus: Bus;
  let client: PaperlineClient;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    server = await startTestServer();
    bus = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    await provisionTopology(bus.nc, buildTopology({ maxBytes: { [ObjectStores.documents]: STORE_LIMIT } }));
    client = new PaperlineClient({ bus });
    app = createGateway({ client, config: { limits: { maxFileBytes: MAX_FILE_BYTES }, http: { maxConcurrentUploads: 2, maxConcurrentUploadsPerKey: 1 } }, auth: false });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await server?.stop();
  });

  it('a store at its byte limit refuses new documents with STORE_FULL (507) and loses none it accepted', async () => {
    const accepted: string[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      const res = await fetch(`${url}/v1/documents?filename=fill-${i}.pdf`, { method: 'POST', body: pdfOf(300 * 1024), headers: { 'content-type': 'application/pdf' } });
      if (res.status === 202) accepted.push(((await res.json()) as { id: string }).id);
      else refused = res;
    }
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused?.status).toBe(507);
    expect(await refused?.json()).toMatchObject({ error: { code: 'STORE_FULL', message: expect.stringMatching(/store is full/) } });
    for (const id of accepted) {
      expect(await bus.objectSize(ObjectStores.documents, ObjectNames.document(id))).toBe(300 * 1024);
      expect((await client.status(id)).status).toBe('queued');
    }
    // the refused one left no record and no submit message behind
    expect((await bus.jsm.streams.info(Streams.docs)).state.messages).toBe(accepted.length);
    await expect(client.submit(pdfOf(300 * 1024), { fileName: 'direct.pdf' })).rejects.toMatchObject({ code: 'STORE_FULL' });
    for (const id of accepted) await client.cancel(id);
  });

  it('a file between render\u2019s 200 MiB and the old 256 MiB is refused at the door, before its bytes are read', async () => {
    const res = await announce(url, 220 * 1024 * 1024);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'FILE_TOO_LARGE' } });
    expect(res.sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('answers malformed multipart with 400 and repeated query parameters with 400, in the documented shape', async () => {
    const boundary = 'b0undary';
    for (const body of [`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.7 cut`, `--${boundary}\r\nbroken header\r\n\r\n`, 'not multipart at all']) {
      const res = await fetch(`${url}/v1/documents`, { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
      expect(res.status, body).toBe(400);
      expect(await res.json()).toEqual({ error: { code: expect.stringMatching(/BAD_REQUEST|EMPTY_FILE/), message: expect.any(String) } });
    }
    const repeated = await fetch(`${url}/v1/documents?pages=1&pages=2`, { method: 'POST', body: pdfOf(100), headers: { 'content-type': 'application/pdf' } });
    expect(repeated.status).toBe(400);
  });

  it('429 for an upload past the per-client cap while another runs', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(pdfOf(2048));
        await held;
        controller.close();
      },
    });
    const first = fetch(`${url}/v1/documents`, { method: 'POST', body: slow, headers: { 'content-type': 'application/pdf' }, duplex: 'half' } as RequestInit);
    // wait until the first upload holds its slot
    const deadline = Date.now() + 10_000;
    let second: Response;
    for (;;) {
      second = await fetch(`${url}/v1/documents`, { method: 'POST', body: pdfOf(100), headers: { 'content-type': 'application/pdf' } });
      if (second.status === 429 || Date.now() > deadline) break;
      await client.cancel(((await second.json()) as { id: string }).id);
    }
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(await second.json()).toMatchObject({ error: { code: 'TOO_MANY_UPLOADS' } });
    release();
    expect((await first).status).toBe(202);
  });

  it('503 NATS_UNAVAILABLE for a status read when the connection is gone', async () => {
    const lonely = await Bus.connect({ servers: server.url, waitOnFirstConnect: false });
    const gateway = createGateway({ client: new PaperlineClient({ bus: lonely }), config: { limits: { maxFileBytes: MAX_FILE_BYTES } }, auth: false });
    await lonely.close();
    const res = await gateway.inject({ method: 'GET', url: '/v1/documents/abcdefgh' });
    expect([503]).toContain(res.statusCode);
    expect(res.json()).toMatchObject({ error: { code: expect.stringMatching(/NATS_UNAVAILABLE|CLIENT_CLOSED/) } });
    await gateway.close();
  });
});
